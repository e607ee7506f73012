import { badRequest } from '../http/http-error.ts';
import {
  AUTHOR_MAX_CHARS,
  DEFAULT_AUTHOR,
  DEFAULT_ROOM,
  IDEMPOTENCY_KEY_PATTERN,
  ROOM_NAME_PATTERN,
  TEXT_MAX_CHARS,
  type ChatDraft,
} from './chat-message.ts';

/**
 * Checks what a client sends to the chat, field by field, and says precisely what is
 * wrong: every mistake is a 400 with a reason, never a crash further in.
 */
// #region validate
const POST_FIELDS = ['text', 'author', 'room'];
/** Control characters have no place in a one-line chat message (tab and newline aside). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function parseRoom(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_ROOM;
  if (!ROOM_NAME_PATTERN.test(raw)) {
    throw badRequest(`"room" must be 1 to 32 of a-z, 0-9 and "-"; received "${raw.slice(0, 40)}"`);
  }
  return raw;
}

export function parseChatPost(body: unknown, { textMaxChars = TEXT_MAX_CHARS } = {}): ChatDraft {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('expected a JSON object like {"text": "…", "author": "…", "room": "…"}');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !POST_FIELDS.includes(name));
  if (unknown !== undefined) throw badRequest(`unknown field "${unknown.slice(0, 40)}"; expected text, author, room`);

  const room = fields.room;
  if (room !== undefined && typeof room !== 'string') throw badRequest(`"room" must be a string; received ${typeOf(room)}`);
  return {
    room: parseRoom(room),
    text: requiredText(fields.text, 'text', Math.min(textMaxChars, TEXT_MAX_CHARS)),
    author: fields.author === undefined ? DEFAULT_AUTHOR : requiredText(fields.author, 'author', AUTHOR_MAX_CHARS),
  };
}

function requiredText(value: unknown, name: string, maxChars: number): string {
  if (typeof value !== 'string') throw badRequest(`"${name}" must be a string; received ${typeOf(value)}`);
  const text = value.trim();
  if (text.length === 0) throw badRequest(`"${name}" is empty`);
  if (text.length > maxChars) throw badRequest(`"${name}" is ${text.length} characters long; at most ${maxChars} are allowed`);
  if (!text.isWellFormed()) throw badRequest(`"${name}" contains a lone surrogate (not valid Unicode text)`);
  if (CONTROL_CHARACTERS.test(text)) throw badRequest(`"${name}" contains control characters`);
  return text;
}
/** The `Idempotency-Key` header of a post: absent, or 1 to 64 of `A-Za-z0-9_-` (400 otherwise). */
export function parseIdempotencyKey(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(raw)) {
    throw badRequest(`"Idempotency-Key" must be 1 to 64 of A-Z, a-z, 0-9, "_" and "-"; received "${raw.slice(0, 70)}"`);
  }
  return raw;
}
// #endregion validate

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
