import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, parseClientFrame, ProtocolViolation } from '../../../../src/server/socket/socket-protocol.ts';

const parse = (frame: unknown, { binary = false, textMaxChars = 500 } = {}) =>
  parseClientFrame(typeof frame === 'string' ? frame : JSON.stringify(frame), binary, 'room-a', textMaxChars);

function violation(run: () => unknown): ProtocolViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolViolation) return error;
    throw error;
  }
  throw new Error('expected a ProtocolViolation');
}

describe('parseClientFrame', () => {
  it('turns a post into a draft for the socket’s room, carrying its idempotency key', () => {
    expect(parse({ type: 'post', key: 'k-1_A', text: '  hi  ', author: 'ann' })).toEqual({
      type: 'post',
      key: 'k-1_A',
      draft: { room: 'room-a', text: 'hi', author: 'ann', idempotencyKey: 'k-1_A' },
    });
  });

  it('reads a frame split in fragments (ws hands them over as a list of buffers)', () => {
    const text = JSON.stringify({ type: 'post', key: 'k', text: 'héllo' });
    const bytes = Buffer.from(text);
    const post = parseClientFrame([bytes.subarray(0, 20), bytes.subarray(20)], false, 'r', 500);
    expect(post).toMatchObject({ draft: { text: 'héllo' } });
  });

  it('refuses, without closing, what an HTTP post would answer with a 400', () => {
    expect(parse({ type: 'post', key: 'k', text: 'x'.repeat(11) }, { textMaxChars: 10 })).toMatchObject({
      type: 'refused',
      key: 'k',
      error: expect.stringMatching(/at most 10/),
    });
    expect(parse({ type: 'post', key: 'k', text: '   ' })).toMatchObject({ type: 'refused', error: expect.stringMatching(/empty/) });
    expect(parse({ type: 'post', key: 'k', text: 'a\u0007b' })).toMatchObject({ type: 'refused' });
  });

  it.each([
    ['a binary frame', () => parseClientFrame(Buffer.from('{}'), true, 'r', 500), CLOSE_CODES.unsupportedData],
    ['invalid JSON', () => parse('{"type":'), CLOSE_CODES.invalidMessage],
    ['a JSON array', () => parse([1]), CLOSE_CODES.invalidMessage],
    ['null', () => parse('null'), CLOSE_CODES.invalidMessage],
    ['an unknown type', () => parse({ type: 'subscribe' }), CLOSE_CODES.invalidMessage],
    ['a missing key', () => parse({ type: 'post', text: 'hi' }), CLOSE_CODES.invalidMessage],
    ['a key with a space', () => parse({ type: 'post', key: 'a b', text: 'hi' }), CLOSE_CODES.invalidMessage],
    ['a key of 65 characters', () => parse({ type: 'post', key: 'k'.repeat(65), text: 'hi' }), CLOSE_CODES.invalidMessage],
    ['a room field (the room is the socket’s)', () => parse({ type: 'post', key: 'k', text: 'hi', room: 'other' }), CLOSE_CODES.invalidMessage],
  ])('closes on %s with the right code and a short reason', (_name, run, code) => {
    const error = violation(run);
    expect(error.code).toBe(code);
    expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(123);
  });

  it('keeps every close reason within the 123 bytes a close frame allows, cutting between characters', () => {
    expect(Buffer.byteLength(new ProtocolViolation(1008, 'é'.repeat(200)).message)).toBe(122);
    expect(new ProtocolViolation(1008, '😀'.repeat(40)).message).toBe('😀'.repeat(30));
    const field = violation(() => parse({ type: 'post', key: 'k', text: 'hi', ['é'.repeat(100)]: 1 }));
    expect(Buffer.byteLength(field.message)).toBeLessThanOrEqual(123);
  });
});
