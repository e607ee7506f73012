/**
 * The "no limits" demo: one tab opens many long polls at once and watches the server hold
 * some and refuse the rest. A browser sends at most six requests at a time to one server
 * over HTTP/1.1, per kind of connection; requests without cookies travel on connections of
 * their own, so sending half of them that way lets twelve reach the server together.
 */

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

export function openPolls(
  count: number,
  { room, holdMs, onChange }: { room: string; holdMs: number; onChange: (index: number, state: PollState) => void },
): PollFlood {
  const abort = new AbortController();
  const startedAt = performance.now();
  const polls = Array.from({ length: count }, async (_, index) => {
    onChange(index, { state: 'waiting' });
    try {
      const response = await fetch(`/api/chat/messages?room=${encodeURIComponent(room)}&after=0.0&timeout=${holdMs}`, {
        cache: 'no-store',
        credentials: index % 2 === 0 ? 'same-origin' : 'omit',
        signal: abort.signal,
      });
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      // The status arrives at once and the body when the poll ends: closing now ends the body.
      if (abort.signal.aborted) return onChange(index, { state: 'closed' });
      if (response.ok) return onChange(index, { state: 'answered', afterMs: performance.now() - startedAt });
      onChange(index, {
        state: 'refused',
        status: response.status,
        retryAfterSeconds: Number(response.headers.get('retry-after') ?? 0),
        reason: body.error ?? response.statusText,
      });
    } catch (error) {
      if (abort.signal.aborted) return onChange(index, { state: 'closed' });
      onChange(index, { state: 'failed', reason: (error as Error).message });
    }
  });
  return { close: () => abort.abort(), done: Promise.all(polls).then(() => undefined) };
}
