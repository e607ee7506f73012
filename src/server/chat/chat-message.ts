/** What the chat stores and sends: one message of one room. */
export interface ChatMessage {
  /** Per room: 1 for the room's first message, then one more for each message accepted. */
  id: number;
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
}

export const DEFAULT_ROOM = 'lobby';
export const DEFAULT_AUTHOR = 'anonymous';
/** Limits in UTF-16 code units, the unit of the browser's `maxlength`, so both sides agree. */
export const TEXT_MAX_CHARS = 500;
export const AUTHOR_MAX_CHARS = 40;
export const ROOM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
