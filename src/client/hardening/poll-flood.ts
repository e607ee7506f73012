/**
 * The "no limits" demo: one tab opens many long polls at once and watches the server hold
 * some and refuse the rest. A browser sends at most six requests at a time to one server
 * over HTTP/1.1, per kind of connection; requests without cookies travel on connections of
 * their own, so sending half of them that way lets twelve reach the server together.
 */

import { readRoom } from '../chat/read-room.ts';
import { parseRetryAfter } from '../network-delay.ts';

export type PollState =
  | { state: 'waiting' }
  | { state: 'refused'; status: number; retryAfterSeconds: number; reason: string }
  | { state: 'answered'; afterMs: number }
  | { state: 'closed' }
  | { state: 'failed'; reason: string };

export interface PollFlood {
  /** Aborts every poll still open: the server sees each connection close and lets go at once. */
  close(): void;
  /** Settles when every poll has ended, one way or another. */
  done: Promise<void>;
}

/**
 * Opens `count` long polls on `room`, each held up to `holdMs`. They wait after the room's
 * current cursor (an opaque string, read first with one non-held request), so the server
 * holds them instead of answering at once.
 */
export function openPolls(
  count: number,
  { room, holdMs, onChange }: { room: string; holdMs: number; onChange: (index: number, state: PollState) => void },
): PollFlood {
  const abort = new AbortController();
  const startedAt = performance.now();
  const cursor = readRoom(room, undefined, { signal: abort.signal }).then(
    (answer) => answer.cursor,
    () => undefined, // without a cursor the polls are answered at once: the flood still shows the limits
  );
  const polls = Array.from({ length: count }, async (_, index) => {
    onChange(index, { state: 'waiting' });
    try {
      const after = await cursor;
      const query = new URLSearchParams({ room, timeout: String(holdMs), ...(after === undefined ? {} : { after }) });
      const response = await fetch(`/api/chat/messages?${query}`, {
        cache: 'no-store',
        credentials: index % 2 === 0 ? 'same-origin' : 'omit',
        signal: abort.signal,
      });
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      // A held poll's headers arrive at once and its body later: closing it aborts the body.
      if (abort.signal.aborted) return onChange(index, { state: 'closed' });
      if (response.ok) return onChange(index, { state: 'answered', afterMs: performance.now() - startedAt });
      onChange(index, {
        state: 'refused',
        status: response.status,
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) / 1_000,
        reason: body.error ?? response.statusText,
      });
    } catch (error) {
      if (abort.signal.aborted) return onChange(index, { state: 'closed' });
      onChange(index, { state: 'failed', reason: (error as Error).message });
    }
  });
  return { close: () => abort.abort(), done: Promise.all(polls).then(() => undefined) };
}
