/**
 * Shape checks for what the server sends. A body that is not what the contract promises is
 * a retryable error ({@link MalformedAnswerError}): the client backs off and asks again, and
 * says so in its wire log, instead of throwing deep inside a render and stopping for good.
 */
import type { ChatMessage } from '../server/chat/chat-message.ts';

/** An answer of the wrong shape: retried with backoff, like a server error. */
export class MalformedAnswerError extends Error {
  constructor(what: string) {
    super(`malformed answer: ${what}`);
    this.name = 'MalformedAnswerError';
  }
}

/** The longest cursor a client keeps: the server's are far shorter (`EPOCH.ID`). */
export const CURSOR_MAX_CHARS = 64;

/** One room's part of a poll answer (the cursor contract: opaque string cursor, epoch + integer id per message). */
export interface RoomAnswer {
  messages: ChatMessage[];
  /** Opaque: sent back verbatim as the next `after`, never looked into. */
  cursor: string;
  /** Older messages of the same incarnation were dropped before this client saw them. */
  gap: boolean;
  /** The room started a new incarnation: replace what is shown with `messages`. */
  reset: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks one chat message: integer `id` ≥ 1, string `epoch`, `text`, `author`, `room`, numeric `at`. */
export function readChatMessage(value: unknown, where = 'message'): ChatMessage {
  if (!isRecord(value)) throw new MalformedAnswerError(`${where} is not an object`);
  const { id, epoch, text, author, at, room } = value;
  if (!Number.isSafeInteger(id) || (id as number) < 1) throw new MalformedAnswerError(`${where}.id is not a positive integer`);
  if (typeof epoch !== 'string') throw new MalformedAnswerError(`${where}.epoch is not a string`);
  if (typeof text !== 'string' || typeof author !== 'string' || typeof room !== 'string') {
    throw new MalformedAnswerError(`${where} lacks its text, author or room`);
  }
  if (typeof at !== 'number' || !Number.isFinite(at)) throw new MalformedAnswerError(`${where}.at is not a time`);
  return { id: id as number, epoch, text, author, at, room };
}

/** Checks a cursor: a non-empty string of at most {@link CURSOR_MAX_CHARS}. */
export function readCursor(value: unknown, where = 'cursor'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > CURSOR_MAX_CHARS) {
    throw new MalformedAnswerError(`${where} is not a cursor string`);
  }
  return value;
}

/** `{messages, cursor, gap?, reset?}` of `GET /api/chat/messages`, or one room of `/api/chat/poll`. */
export function readRoomAnswer(value: unknown, where = 'answer'): RoomAnswer {
  if (!isRecord(value)) throw new MalformedAnswerError(`${where} is not an object`);
  if (!Array.isArray(value.messages)) throw new MalformedAnswerError(`${where}.messages is not a list`);
  const messages = value.messages.map((message, index) => readChatMessage(message, `${where}.messages[${index}]`));
  const cursor = readCursor(value.cursor, `${where}.cursor`);
  for (const flag of ['gap', 'reset'] as const) {
    if (value[flag] !== undefined && typeof value[flag] !== 'boolean') throw new MalformedAnswerError(`${where}.${flag} is not a boolean`);
  }
  return { messages, cursor, gap: value.gap === true, reset: value.reset === true };
}

/** `{rooms: {ROOM: RoomAnswer, …}}` of the multi-room poll `GET /api/chat/poll`. */
export function readMultiRoomAnswer(value: unknown): Map<string, RoomAnswer> {
  if (!isRecord(value) || !isRecord(value.rooms)) throw new MalformedAnswerError('"rooms" is not an object');
  const rooms = new Map<string, RoomAnswer>();
  for (const [room, answer] of Object.entries(value.rooms)) rooms.set(room, readRoomAnswer(answer, `rooms.${room}`));
  return rooms;
}
