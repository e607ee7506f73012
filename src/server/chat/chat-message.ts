/** What the chat stores and sends: one message of one room. */
export interface ChatMessage {
  /** Per room incarnation: 1 for its first message, then one more for each message accepted. */
  id: number;
  /** The room incarnation the id belongs to (see `cursor.ts`); duplicate filters compare `epoch` and `id`. */
  epoch: string;
  text: string;
  author: string;
  /** When the server accepted it, in milliseconds since the epoch. */
  at: number;
  room: string;
}

/** A message as a client submits it, already validated; the log gives it an id and a time. */
export interface ChatDraft {
  room: string;
  text: string;
  author: string;
  /**
   * The client's `Idempotency-Key` (1–64 of `A-Za-z0-9_-`), scoped to the room: a retried post with
   * the same key is stored once. Kept with the message in the log, never sent to other clients.
   */
  idempotencyKey?: string;
}

/** An `Idempotency-Key`: 1 to 64 of `A-Za-z0-9_-`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const DEFAULT_ROOM = 'lobby';
export const DEFAULT_AUTHOR = 'anonymous';
/** Limits in UTF-16 code units, the unit of the browser's `maxlength`, so both sides agree. */
export const TEXT_MAX_CHARS = 500;
export const AUTHOR_MAX_CHARS = 40;
export const ROOM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
