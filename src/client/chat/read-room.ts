/**
 * One non-held read of one room (`GET /api/chat/messages?room=R[&after=CURSOR]&timeout=0`):
 * a tab's catch-up from its own cursor, when it joins a room the leader already follows from
 * another cursor, or after a fault of its own. Answered at once, so it never waits behind a
 * held request's connection for long.
 */
import { readRoomAnswer, MalformedAnswerError, type RoomAnswer } from '../malformed-answer.ts';
import { parseRetryAfter } from '../network-delay.ts';

/** A read that failed: `retryAfterMs` from the server (clamped), `fatal` for a 4xx that retrying cannot fix. */
export class RoomReadError extends Error {
  readonly outcome: 'network-error' | 'server-error' | 'retry-after' | 'client-error';
  readonly status?: number;
  readonly retryAfterMs: number;

  constructor(
    message: string,
    outcome: 'network-error' | 'server-error' | 'retry-after' | 'client-error',
    status?: number,
    retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'RoomReadError';
    this.outcome = outcome;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ReadRoomOptions {
  endpoint?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Reads what a room holds after `cursor` (everything recent when undefined), without holding.
 * @throws RoomReadError for every failure, classified.
 */
export async function readRoom(room: string, cursor: string | undefined, { endpoint = '/api/chat/messages', headers = {}, fetch: fetcher = (i, o) => globalThis.fetch(i, o), signal }: ReadRoomOptions = {}): Promise<RoomAnswer> {
  const query = new URLSearchParams({ room });
  if (cursor !== undefined) query.set('after', cursor);
  query.set('timeout', '0');
  let response: Response;
  try {
    response = await fetcher(`${endpoint}?${query}`, { headers, cache: 'no-store', signal });
  } catch (error) {
    throw new RoomReadError((error as Error).message, 'network-error');
  }
  if (response.ok) {
    try {
      return readRoomAnswer(await response.json().catch(() => undefined));
    } catch (error) {
      if (error instanceof MalformedAnswerError) throw new RoomReadError(error.message, 'server-error', response.status);
      throw error;
    }
  }
  if (response.status === 429 || response.status === 503) {
    throw new RoomReadError(`the server asked to wait (${response.status})`, 'retry-after', response.status, parseRetryAfter(response.headers.get('retry-after')));
  }
  if (response.status === 408 || response.status >= 500) throw new RoomReadError(`server error ${response.status}`, 'server-error', response.status);
  const body = (await response.json().catch(() => ({}))) as { error?: unknown };
  throw new RoomReadError(typeof body?.error === 'string' ? body.error : `refused (${response.status})`, 'client-error', response.status);
}
