import { badRequest } from '../http/http-error.ts';
import { parseRoom } from './chat-input.ts';
import { parseCursor, type Cursor } from './cursor.ts';

/** How many rooms one multi-room poll may follow. */
export const MAX_FOLLOWED_ROOMS = 16;

/** One followed room of a multi-room poll: without `after`, the poll is that room's initial load. */
export interface Follow {
  room: string;
  after?: Cursor;
}

/**
 * Reads the `follow=ROOM[@CURSOR]` parameters of `GET /api/chat/poll` (repeated, one per room).
 * @throws HttpError 400 with no `follow`, more than {@link MAX_FOLLOWED_ROOMS}, a room given
 * twice, a malformed room name or cursor.
 */
export function parseFollows(params: URLSearchParams): Follow[] {
  const raw = params.getAll('follow');
  if (raw.length === 0) throw badRequest('expected at least one "follow=ROOM" or "follow=ROOM@CURSOR"');
  if (raw.length > MAX_FOLLOWED_ROOMS) throw badRequest(`at most ${MAX_FOLLOWED_ROOMS} rooms per poll; received ${raw.length}`);
  const seen = new Set<string>();
  return raw.map((entry) => {
    const at = entry.indexOf('@');
    const room = parseRoom(at === -1 ? entry : entry.slice(0, at));
    if (seen.has(room)) throw badRequest(`room "${room}" is followed twice`);
    seen.add(room);
    return at === -1 ? { room } : { room, after: parseCursor(entry.slice(at + 1), `follow=${room}@`) };
  });
}
