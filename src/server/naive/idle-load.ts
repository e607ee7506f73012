import { jsonResponse, serviceUnavailable } from '../http/http-error.ts';
import { readQuery } from '../http/query-params.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { ServerStats } from '../stats/server-stats.ts';

export const IDLE_BATCH_SIZE = 50;
export const IDLE_HOLD_MS = 20_000;
/** Idle waiters held at once across all visitors. */
export const MAX_IDLE_WAITERS = 500;
/** Per-client limit on load requests, for `createRateLimiter`. */
export const LOAD_RATE_LIMIT = { perSecond: 0.5, burst: 4 };

export interface IdleLoadOptions {
  /** Runs one idle waiter until the signal aborts. */
  hold: (signal: AbortSignal) => Promise<void>;
  stats: ServerStats;
  rateLimiter: RateLimiter;
  batchSize?: number;
  holdMs?: number;
  maxHeld?: number;
  now?: () => number;
}

/**
 * `POST /api/naive/load`: the server starts a batch of idle naive waiters of its own and
 * holds them for a while, so a learner can watch the cost of waiting clients climb
 * without opening fifty tabs.
 */
export function createIdleLoad({
  hold,
  stats,
  rateLimiter,
  batchSize = IDLE_BATCH_SIZE,
  holdMs = IDLE_HOLD_MS,
  maxHeld = MAX_IDLE_WAITERS,
  now = Date.now,
}: IdleLoadOptions) {
  let held = 0;
  /** When each running batch ends, oldest first: tells a refused client when room frees up. */
  const batchEnds: number[] = [];
  stats.addGauge('naiveIdleWaiters', () => held);

  return function handleNaiveLoad(request: Request, client: string): Response {
    readQuery(new URL(request.url), []);
    rateLimiter.take(client, 'load requests');
    const room = maxHeld - held;
    if (room <= 0) {
      const waitSeconds = Math.max(1, Math.ceil(((batchEnds[0] ?? now() + holdMs) - now()) / 1_000));
      throw serviceUnavailable(
        `the server already holds ${maxHeld} idle waiters, the most it allows across all visitors; room frees up in ${waitSeconds} s`,
        waitSeconds,
      );
    }

    const added = Math.min(batchSize, room);
    const release = new AbortController();
    batchEnds.push(now() + holdMs);
    held += added;
    for (let i = 0; i < added; i++) {
      hold(release.signal)
        .catch((error) => console.error('An idle naive waiter failed:', error))
        .finally(() => {
          held -= 1;
        });
    }
    const timer = setTimeout(() => {
      batchEnds.shift();
      release.abort();
    }, holdMs);
    timer.unref(); // held waiters must never keep the process alive

    return jsonResponse({ added, held, limit: maxHeld, holdSeconds: holdMs / 1_000 });
  };
}
