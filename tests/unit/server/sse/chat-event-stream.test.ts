import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMessageLog } from '../../../../src/server/chat/message-log.ts';
import type { MessageStore, ReadResult } from '../../../../src/server/chat/message-store.ts';
import { parseCursor, type Cursor } from '../../../../src/server/chat/cursor.ts';
import { createChatEventStream, messageEvent, refusedEvent } from '../../../../src/server/sse/chat-event-stream.ts';
import { serviceUnavailable } from '../../../../src/server/http/http-error.ts';

const decoder = new TextDecoder();

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp): Promise<string> {
  let text = '';
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${pattern}; got ${JSON.stringify(text)}`);
    text += decoder.decode(value);
  }
  return text;
}

async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value);
  }
}

/** Ids of the message events, as numbers within their epoch. */
const eventIds = (text: string) =>
  [...text.matchAll(/^id: [a-z0-9]+\.(\d+)\nevent: message$/gm)].map((match) => Number(match[1]));
const EMPTY: Cursor = { epoch: '0', id: 0 };

describe('createChatEventStream', () => {
  it('sends its position, the latest messages, then each new one as an event with its cursor as id', async () => {
    const store = createMessageLog();
    const { message } = await store.append({ room: 'r', text: 'one', author: 'a' });
    const onClose = vi.fn();
    const reader = createChatEventStream({ store, room: 'r', onClose, heartbeatMs: 15_000 }).getReader();
    const first = await readUntil(reader, /\.1\nevent: message/);
    expect(first.startsWith(`retry: 2000\n\nid: ${message.epoch}.0\nevent: position\ndata: {"cursor":"${message.epoch}.0","heartbeatMs":15000}\n\n`)).toBe(true);
    await store.append({ room: 'r', text: 'two', author: 'a' });
    const second = await readUntil(reader, /\.2\nevent: message/);
    expect(eventIds(first + second)).toEqual([1, 2]);
    await reader.cancel();
    expect(onClose).toHaveBeenCalledOnce();
    expect(store.counts.waiters).toBe(0);
  });

  it('resumes after the given id, so a reconnecting browser misses nothing and repeats nothing', async () => {
    const store = createMessageLog();
    let epoch = '';
    for (const text of ['a', 'b', 'c']) epoch = (await store.append({ room: 'r', text, author: 'x' })).message.epoch;
    const reader = createChatEventStream({ store, room: 'r', after: { epoch, id: 1 } }).getReader();
    const text = await readUntil(reader, /\.3\nevent: message/);
    expect(text).toContain(`id: ${epoch}.1\nevent: position\n`);
    expect(eventIds(text)).toEqual([2, 3]);
    await reader.cancel();
  });

  it('sends a reset with the retained messages to a cursor of another incarnation or a bare integer', async () => {
    const store = createMessageLog();
    const { message } = await store.append({ room: 'r', text: 'now', author: 'x' });
    for (const after of [{ epoch: 'other', id: 5 }, parseCursor('5')]) {
      const reader = createChatEventStream({ store, room: 'r', after }).getReader();
      const text = await readUntil(reader, /event: reset\ndata: .*\n\n/);
      expect(text).toContain(`id: ${message.epoch}.1\nevent: position\n`);
      const data = JSON.parse(/event: reset\ndata: (.*)\n/.exec(text)![1]!);
      expect(data).toEqual({ messages: [message], cursor: `${message.epoch}.1` });
      await reader.cancel();
    }
  });

  it('sends a reset while streaming when the room starts a new incarnation (evicted, then written again)', async () => {
    const store = createMessageLog({ maxRooms: 1 });
    const { message } = await store.append({ room: 'r', text: 'old', author: 'x' });
    const reader = createChatEventStream({ store, room: 'r', after: { epoch: message.epoch, id: 1 } }).getReader();
    await readUntil(reader, /event: position/);
    await vi.waitFor(() => expect(store.counts.waiters).toBe(1));
    await store.append({ room: 'other', text: 'evicts r', author: 'x' });
    const { message: fresh } = await store.append({ room: 'r', text: 'new', author: 'x' });
    const text = await readUntil(reader, /event: reset\ndata: .*\n\n/);
    expect(text).toContain(`id: ${fresh.epoch}.1\nevent: reset\n`);
    await store.append({ room: 'r', text: 'newer', author: 'x' });
    expect(await readUntil(reader, /event: message/)).toContain(`id: ${fresh.epoch}.2\n`);
    await reader.cancel();
  });

  it('gives a room that is still empty the position 0.0, from which its first message follows', async () => {
    const store = createMessageLog();
    const reader = createChatEventStream({ store, room: 'r' }).getReader();
    await readUntil(reader, /id: 0\.0\nevent: position/);
    await vi.waitFor(() => expect(store.counts.waiters).toBe(1));
    await store.append({ room: 'r', text: 'first', author: 'x' });
    expect(eventIds(await readUntil(reader, /event: message/))).toEqual([1]);
    await reader.cancel();
  });

  it('writes each event as id, event and one data line of JSON, whatever the text holds', () => {
    const event = messageEvent({ id: 4, epoch: 'e1', room: 'r', text: 'two\nlines\r\n: and a colon', author: 'a', at: 1 });
    const lines = event.split('\n');
    expect(lines.slice(0, 2)).toEqual(['id: e1.4', 'event: message']);
    expect(JSON.parse(lines[2]!.replace(/^data: /, ''))).toMatchObject({ text: 'two\nlines\r\n: and a colon' });
    expect(event.endsWith('\n\n')).toBe(true);
    expect(lines).toHaveLength(5);
  });

  it('releases its waiter when the request is aborted, once', async () => {
    const store = createMessageLog();
    const abort = new AbortController();
    const onClose = vi.fn();
    const reader = createChatEventStream({ store, room: 'r', after: EMPTY, signal: abort.signal, onClose }).getReader();
    await readUntil(reader, /retry/);
    await vi.waitFor(() => expect(store.counts.waiters).toBe(1));
    abort.abort();
    await reader.cancel();
    await vi.waitFor(() => expect(store.counts.waiters).toBe(0));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('ends itself once it has queued more than its reader takes, so a client that never reads costs a bounded amount', async () => {
    const store = createMessageLog();
    const onClose = vi.fn();
    const stream = createChatEventStream({ store, room: 'r', after: EMPTY, maxBytes: 1_000_000, maxQueuedBytes: 2_000, onClose });
    await vi.waitFor(() => expect(store.counts.waiters).toBe(1));
    for (let i = 0; i < 200; i++) await store.append({ room: 'r', text: `message ${i} ${'x'.repeat(50)}`, author: 'a' });
    await vi.waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(store.counts.waiters).toBe(0);

    // Only now does the reader read: the stream ended after a bounded queue, then resumes by id.
    const text = await readToEnd(stream.getReader());
    expect(new TextEncoder().encode(text).byteLength).toBeLessThan(2_000 + 200);
    const ids = eventIds(text);
    expect(ids[0]).toBe(1);
    expect(ids.length).toBeLessThan(200);
  });

  it('ends itself past its byte budget even when the reader keeps up, after a whole event', async () => {
    const store = createMessageLog();
    for (let i = 0; i < 30; i++) await store.append({ room: 'r', text: `message ${i} ${'y'.repeat(80)}`, author: 'a' });
    const reader = createChatEventStream({ store, room: 'r', after: EMPTY, maxBytes: 1_000 }).getReader();
    const text = await readToEnd(reader);
    const bytes = new TextEncoder().encode(text).byteLength;
    expect(bytes).toBeGreaterThanOrEqual(1_000);
    expect(bytes).toBeLessThan(1_000 + 200);
    expect(text.endsWith('\n\n')).toBe(true);
    const ids = eventIds(text);
    expect(ids).toEqual(ids.map((_, index) => index + 1)); // in order, none skipped: a reconnect resumes from the last
    expect(store.counts.waiters).toBe(0);
  });

  it('closes the stream at once when the request was aborted before it started', async () => {
    const store = createMessageLog();
    const onClose = vi.fn();
    const reader = createChatEventStream({ store, room: 'r', signal: AbortSignal.abort(), onClose }).getReader();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(onClose).toHaveBeenCalledOnce();
    expect(store.counts.waiters).toBe(0);
  });

  it('treats a cancel during the first read as a plain disconnect: nothing sent, nothing logged', async () => {
    const log = createMessageLog();
    let finishRead!: (result: ReadResult) => void;
    const store: MessageStore = {
      ...log,
      counts: log.counts,
      read: () => new Promise<ReadResult>((resolve) => (finishRead = resolve)),
      waitForMessagesAfter: (...args) => log.waitForMessagesAfter(...args),
    };
    const failed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const reader = createChatEventStream({ store, room: 'r' }).getReader();
      await readUntil(reader, /retry/);
      await reader.cancel();
      finishRead({ messages: [{ id: 1, epoch: 'e1', room: 'r', text: 'late', author: 'a', at: 1 }], cursor: 'e1.1', gap: false, reset: false });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(failed).not.toHaveBeenCalled();
      expect(log.counts.waiters).toBe(0);
    } finally {
      failed.mockRestore();
    }
  });

  it('ends with an in-stream refusal, not a logged failure, when the store becomes unavailable (503)', async () => {
    const log = createMessageLog();
    let failWait!: (error: Error) => void;
    const store: MessageStore = {
      ...log,
      counts: log.counts,
      read: (...args) => log.read(...args),
      waitForMessagesAfter: () => new Promise((_resolve, reject) => (failWait = reject)),
    };
    const failed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const onClose = vi.fn();
      const reader = createChatEventStream({ store, room: 'r', onClose }).getReader();
      await readUntil(reader, /event: position/);
      failWait(serviceUnavailable('the chat is unavailable right now; try again shortly', 5));
      const rest = await readToEnd(reader);
      expect(rest).toBe(refusedEvent('the chat is unavailable right now; try again shortly', 5_000));
      expect(onClose).toHaveBeenCalledOnce();
      expect(failed).not.toHaveBeenCalled();
    } finally {
      failed.mockRestore();
    }
  });

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('sends a named heartbeat event when nothing happens, and ends itself at its deadline', async () => {
      const store = createMessageLog();
      const reader = createChatEventStream({ store, room: 'r', after: EMPTY, heartbeatMs: 1_000, maxDurationMs: 2_500 }).getReader();
      await readUntil(reader, /event: position/);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await readUntil(reader, /event: heartbeat\ndata: \{"heartbeatMs":1000\}\n\n/)).toContain('heartbeat');
      await vi.advanceTimersByTimeAsync(2_000);
      let rest = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += decoder.decode(value);
      }
      expect(store.counts.waiters).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      expect(rest).not.toContain('event: message');
    });
  });
});
