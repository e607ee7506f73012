import { badRequest } from '../http/http-error.ts';

/**
 * The cursor contract every chat client, transport and store shares.
 *
 * A room has incarnations: it is created, and it may later be reset (evicted at the room cap,
 * dropped when idle, its log lost or replaced), after which its ids start again at 1. Each
 * incarnation has an **epoch**, a random name created with the room and stored in the log with
 * every message, so a clean restart or a crash is not a reset.
 *
 * On the wire a cursor is an opaque string, `EPOCH.ID` (for example `"k3j9x2qa.17"`): clients send
 * it back verbatim (`after=` of a long poll, `Last-Event-ID` of an event stream, `after=` of the
 * socket) and never look inside. A cursor of another incarnation, or a bare integer from an older
 * client, is answered with `reset: true` and the current incarnation's retained messages.
 */
// #region cursor
export interface Cursor {
  /** The room incarnation the position belongs to; `''` for a bare integer from an older client. */
  epoch: string;
  /** The newest message id the client has, within that incarnation (0: none yet). */
  id: number;
}

/**
 * The epoch of a room that has no incarnation yet (nobody has written to it): reading an empty room
 * answers the cursor `0.0`. Whatever incarnation starts next began empty too, so a client at `0.0`
 * is answered with its messages as news, not as a reset. New epochs are 8 characters: never `0`.
 */
export const EMPTY_ROOM_EPOCH = '0';

/** An epoch: 1 to 16 of `a-z0-9`. New epochs are {@link EPOCH_LENGTH} random characters. */
export const EPOCH_PATTERN = /^[a-z0-9]{1,16}$/;
export const EPOCH_LENGTH = 8;
/** The longest cursor string accepted: an epoch, a dot and a safe integer. */
export const CURSOR_MAX_CHARS = 16 + 1 + 16;
const CURSOR_PATTERN = /^([a-z0-9]{1,16})\.(0|[1-9][0-9]{0,15})$/;
const LEGACY_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

/** `{ epoch: "k3j9x2qa", id: 17 }` → `"k3j9x2qa.17"`. */
export function formatCursor({ epoch, id }: Cursor): string {
  return `${epoch}.${id}`;
}

/**
 * Reads a cursor a client sent back. A bare integer (an older client's cursor) parses with
 * the empty epoch, which matches no incarnation, so it is answered as a reset.
 * @throws HttpError 400 for anything else, naming the parameter.
 */
export function parseCursor(raw: string, name = 'after'): Cursor {
  const match = CURSOR_PATTERN.exec(raw);
  if (match) return checkedCursor(match[1]!, match[2]!, raw, name);
  const legacy = LEGACY_PATTERN.exec(raw);
  if (legacy) return checkedCursor('', legacy[1]!, raw, name);
  throw badRequest(`"${name}" must be a cursor from an earlier answer, like "k3j9x2qa.17"; received "${raw.slice(0, 40)}"`);
}

function checkedCursor(epoch: string, digits: string, raw: string, name: string): Cursor {
  const id = Number(digits);
  if (!Number.isSafeInteger(id)) throw badRequest(`"${name}" holds an id too large to be real; received "${raw.slice(0, 40)}"`);
  return { epoch, id };
}

/** A fresh epoch for a new room incarnation: {@link EPOCH_LENGTH} random characters of `a-z0-9`. */
export function newEpoch(random: () => number = Math.random): string {
  let epoch = '';
  for (let i = 0; i < EPOCH_LENGTH; i += 1) epoch += Math.floor(random() * 36).toString(36);
  return epoch;
}
// #endregion cursor
