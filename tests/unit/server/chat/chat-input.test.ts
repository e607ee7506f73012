import { describe, expect, it } from 'vitest';
import { parseChatPost, parseRoom } from '../../../../src/server/chat/chat-input.ts';
import { HttpError } from '../../../../src/server/http/http-error.ts';

function reasonFor(body: unknown): string {
  try {
    parseChatPost(body);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as HttpError).message;
  }
  throw new Error('expected a 400');
}

describe('chat input', () => {
  it('accepts a message, trimming it, with defaults for author and room', () => {
    expect(parseChatPost({ text: '  hello  ' })).toEqual({ text: 'hello', author: 'anonymous', room: 'lobby' });
    expect(parseChatPost({ text: 'hi', author: ' Ada ', room: 'room-42' })).toEqual({ text: 'hi', author: 'Ada', room: 'room-42' });
    expect(parseChatPost({ text: 'x'.repeat(500) }).text).toHaveLength(500);
  });

  it.each([
    [null, 'JSON object'],
    [[], 'JSON object'],
    ['text', 'JSON object'],
    [{}, '"text" must be a string; received undefined'],
    [{ text: 42 }, '"text" must be a string; received number'],
    [{ text: '   ' }, '"text" is empty'],
    [{ text: 'x'.repeat(501) }, 'at most 500'],
    [{ text: 'a\u0000b' }, 'control characters'],
    [{ text: '\ud800' }, 'lone surrogate'],
    [{ text: 'hi', author: '' }, '"author" is empty'],
    [{ text: 'hi', author: null }, '"author" must be a string; received null'],
    [{ text: 'hi', author: 'x'.repeat(41) }, 'at most 40'],
    [{ text: 'hi', room: 'Lobby' }, '"room" must be 1 to 32'],
    [{ text: 'hi', room: 7 }, '"room" must be a string'],
    [{ text: 'hi', admin: true }, 'unknown field "admin"'],
  ])('refuses %j: %s', (body, reason) => {
    expect(reasonFor(body)).toContain(reason);
  });

  it('checks room names', () => {
    expect(parseRoom(undefined)).toBe('lobby');
    expect(parseRoom('a'.repeat(32))).toBe('a'.repeat(32));
    for (const bad of ['', 'a'.repeat(33), 'UPPER', 'sp ace', '../etc', 'ünï']) {
      expect(() => parseRoom(bad)).toThrow(HttpError);
    }
  });
});
