import { describe, expect, it } from 'vitest';
import { MalformedAnswerError, readMultiRoomAnswer, readRoomAnswer } from '../../../src/client/malformed-answer.ts';
import { readCounterReading } from '../../../src/client/polling/counter-poller.ts';
import { readNaiveAnswer } from '../../../src/client/naive/naive-chat-client.ts';
import { readStatsSnapshot } from '../../../src/client/fetch-server-stats.ts';

const message = { id: 1, epoch: 'k3j9x2qa', text: 'hi', author: 'a', at: 1, room: 'r' };

describe('answer shapes', () => {
  it('accepts the contract: opaque string cursor, messages with epoch and integer id', () => {
    expect(readRoomAnswer({ messages: [message], cursor: 'k3j9x2qa.1' })).toEqual({ messages: [message], cursor: 'k3j9x2qa.1', gap: false, reset: false });
    expect(readRoomAnswer({ messages: [], cursor: 'k3j9x2qa.0', reset: true, gap: true })).toMatchObject({ reset: true, gap: true });
    expect(readMultiRoomAnswer({ rooms: { r: { messages: [], cursor: 'a.0' } } }).get('r')).toMatchObject({ cursor: 'a.0' });
  });

  it.each([
    ['{}', {}],
    ['null', null],
    ['an integer cursor', { messages: [], cursor: 5 }],
    ['messages not a list', { messages: {}, cursor: 'a.1' }],
    ['a message without epoch', { messages: [{ ...message, epoch: undefined }], cursor: 'a.1' }],
    ['a fractional id', { messages: [{ ...message, id: 1.5 }], cursor: 'a.1' }],
    ['reset not a boolean', { messages: [], cursor: 'a.1', reset: 'yes' }],
  ])('rejects %s as a retryable MalformedAnswerError', (_, value) => {
    expect(() => readRoomAnswer(value)).toThrow(MalformedAnswerError);
  });

  it('rejects a multi-room answer without rooms', () => {
    expect(() => readMultiRoomAnswer({})).toThrow(MalformedAnswerError);
    expect(() => readMultiRoomAnswer(null)).toThrow(MalformedAnswerError);
  });

  it('checks the polling counter, the naive chat and the statistics too', () => {
    expect(() => readCounterReading({})).toThrow(MalformedAnswerError);
    expect(readCounterReading({ value: 1, changedAt: 2, serverTime: 3 })).toEqual({ value: 1, changedAt: 2, serverTime: 3 });
    expect(() => readNaiveAnswer({ msg: 5, timestamp: 1 })).toThrow(MalformedAnswerError);
    expect(() => readNaiveAnswer(null)).toThrow(MalformedAnswerError);
    expect(readNaiveAnswer({ msg: null, timestamp: 0 })).toEqual({ msg: null, timestamp: 0 });
    expect(() => readStatsSnapshot({ gauges: {}, ratesPerSecond: {} })).toThrow(MalformedAnswerError);
    expect(() => readStatsSnapshot({ gauges: { a: 'x' }, ratesPerSecond: {}, process: {} })).toThrow(MalformedAnswerError);
  });
});
