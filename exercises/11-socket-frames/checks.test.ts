// Checks for reading a client's WebSocket frame. Each title is an instruction; they run in
// order and the first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('../../src/server/socket/socket-protocol.ts');
const yours = await loadImplementation<Module>(new URL('../../src/server/socket/socket-protocol.ts', import.meta.url));

const TEXT_MAX_CHARS = 280;
const read = (data: Parameters<Module['parseClientFrame']>[0], isBinary = false) => yours.parseClientFrame(data, isBinary, 'lobby', TEXT_MAX_CHARS);
const frame = (fields: Record<string, unknown>) => JSON.stringify(fields);

/** The close code and reason a frame is refused with, or what came back instead. */
function closeOf(call: () => unknown): { code: number; reason: string } | string {
  try {
    return `no close: returned ${JSON.stringify(call())}`;
  } catch (error) {
    if (error instanceof yours.ProtocolViolation) return { code: error.code, reason: error.message };
    return `a ${(error as Error).name}, not a ProtocolViolation`;
  }
}
const codeOf = (call: () => unknown) => {
  const close = closeOf(call);
  return typeof close === 'string' ? close : close.code;
};

describe("reading a client's WebSocket frame", () => {
  it("Read a post into a draft for the socket's room, keyed by its idempotency key", () => {
    expect(read(frame({ type: 'post', key: 'k-1', text: '  hello  ', author: 'ada' }))).toEqual({
      type: 'post',
      key: 'k-1',
      draft: { room: 'lobby', text: 'hello', author: 'ada', idempotencyKey: 'k-1' },
    });
  });

  it('Read the frame whether it came as a Buffer, an ArrayBuffer or a list of Buffers', () => {
    const text = frame({ type: 'post', key: 'k_2', text: 'café' });
    const bytes = Buffer.from(text, 'utf8');
    const split = bytes.indexOf(0xc3) + 1; // between the two bytes of "é"
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    for (const [what, data] of [['a Buffer', bytes], ['an ArrayBuffer', arrayBuffer], ['a list of Buffers split inside "é"', [bytes.subarray(0, split), bytes.subarray(split)]]] as const) {
      const post = read(data as Buffer);
      expect(post.type === 'post' && post.draft.text, what).toBe('café');
    }
  });

  it('Close with 1003 (unsupported data) on a binary frame', () => {
    expect(codeOf(() => read(Buffer.from(frame({ type: 'post', key: 'k', text: 'hi' })), true))).toBe(yours.CLOSE_CODES.unsupportedData);
    expect(yours.CLOSE_CODES.unsupportedData).toBe(1003);
  });

  it('Close with 1007 (invalid message) on a frame that is not a JSON object', () => {
    for (const text of ['hello', '{"type":', '[]', 'null', '42', '"post"']) {
      expect(codeOf(() => read(text)), JSON.stringify(text)).toBe(1007);
    }
  });

  it('Close with 1007 on an unknown type, a missing or malformed key, or an unknown field', () => {
    const cases: Record<string, Record<string, unknown>> = {
      'type "ping"': { type: 'ping', key: 'k', text: 'hi' },
      'no type': { key: 'k', text: 'hi' },
      'no key': { type: 'post', text: 'hi' },
      'a key with a space': { type: 'post', key: 'k 1', text: 'hi' },
      'a key of 65 characters': { type: 'post', key: 'k'.repeat(65), text: 'hi' },
      'a numeric key': { type: 'post', key: 7, text: 'hi' },
      'another room (the room is the socket’s)': { type: 'post', key: 'k', text: 'hi', room: 'kitchen' },
    };
    for (const [what, fields] of Object.entries(cases)) expect(codeOf(() => read(frame(fields))), what).toBe(1007);
  });

  it('Name what was wrong in the close reason', () => {
    const unknownType = closeOf(() => read(frame({ type: 'ping', key: 'k' })));
    expect(typeof unknownType === 'string' ? unknownType : unknownType.reason).toContain('ping');
    const unknownField = closeOf(() => read(frame({ type: 'post', key: 'k', text: 'hi', colour: 'red' })));
    expect(typeof unknownField === 'string' ? unknownField : unknownField.reason).toContain('colour');
  });

  it('Refuse a text an HTTP post would answer with 400, and keep the connection open', () => {
    for (const [what, fields] of [
      ['an empty text', { text: '   ' }],
      ['a text too long', { text: 'x'.repeat(TEXT_MAX_CHARS + 1) }],
      ['a numeric author', { text: 'hi', author: 42 }],
    ] as const) {
      const answer = read(frame({ type: 'post', key: 'k-9', ...fields }));
      expect(answer, what).toMatchObject({ type: 'refused', key: 'k-9' });
      expect(answer.type === 'refused' && answer.error.length > 0, `${what}: the refusal says why`).toBe(true);
    }
  });

  it('Check the frame before its text: a bad key closes even when the text is empty too', () => {
    expect(codeOf(() => read(frame({ type: 'post', key: '', text: '' })))).toBe(1007);
  });
});
