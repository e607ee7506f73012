import type { SiteConfig } from '../config.ts';
import { assertAllowedOrigin } from '../http/allowed-origin.ts';
import { HttpError, jsonResponse, serviceUnavailable, tooManyRequests } from '../http/http-error.ts';
import { readQuery } from '../http/query-params.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import { WAITER_RETRY_AFTER_SECONDS } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';

export const IDLE_BATCH_SIZE = 50;
export const IDLE_HOLD_MS = 20_000;
/** Per-client limit on load requests, for `createRateLimiter`. */
export const LOAD_RATE_LIMIT = { perSecond: 0.5, burst: 4 };

export interface IdleLoadOptions {
  /** Runs one idle waiter until the signal aborts; it takes its place among the naive waits at once. */
  hold: (signal: AbortSignal) => Promise<void>;
  /** Places left among the naive waits (MAX_NAIVE_WAITERS), which idle waiters share with visitors' waits. */
  freePlaces: () => number;
  stats: ServerStats;
  rateLimiter: RateLimiter;
  config: Pick<SiteConfig, 'maxNaiveWaiters' | 'perClientLimits' | 'allowedOrigins'>;
  batchSize?: number;
  holdMs?: number;
  now?: () => number;
}

/**
 * `POST /api/naive/load`: the server starts a batch of idle naive waiters of its own and
 * holds them for a while, so a learner can watch the cost of waiting clients climb
 * without opening fifty tabs. One running batch per client, and every idle waiter counts
 * against MAX_NAIVE_WAITERS, so the button costs at most what that setting allows.
 */
export function createIdleLoad({
  hold,
  freePlaces,
  stats,
  rateLimiter,
  config,
  batchSize = IDLE_BATCH_SIZE,
  holdMs = IDLE_HOLD_MS,
  now = Date.now,
}: IdleLoadOptions) {
  let held = 0;
  /** When each running batch ends, oldest first: tells a refused client when room frees up. */
  const batchEnds: number[] = [];
  /** When each client's running batch ends (only while per-client limits are on). */
  const batchEndByClient = new Map<string, number>();
  stats.addGauge('naiveIdleWaiters', () => held);
  const secondsUntil = (time: number) => Math.max(1, Math.ceil((time - now()) / 1_000));

  return function handleNaiveLoad(request: Request, client: string): Response {
    readQuery(new URL(request.url), []);
    assertAllowedOrigin(request, config.allowedOrigins); // 403: another site's page may not load the server
    rateLimiter.take(client, 'load requests');
    const running = batchEndByClient.get(client);
    if (running !== undefined) {
      const waitSeconds = secondsUntil(running);
      throw tooManyRequests(`your batch of idle waiters is still running; ask again in ${waitSeconds} s`, waitSeconds);
    }
    const room = freePlaces();
    if (room <= 0) {
      const waitSeconds = batchEnds[0] === undefined ? WAITER_RETRY_AFTER_SECONDS : secondsUntil(batchEnds[0]);
      throw serviceUnavailable(
        `the server already holds ${config.maxNaiveWaiters} naive waits, idle ones included: the most it allows across all visitors; ` +
          `room frees up in ${waitSeconds} s`,
        waitSeconds,
      );
    }

    const added = Math.min(batchSize, room);
    const release = new AbortController();
    const end = now() + holdMs;
    batchEnds.push(end);
    if (config.perClientLimits) batchEndByClient.set(client, end);
    held += added;
    for (let i = 0; i < added; i++) {
      hold(release.signal)
        .catch((error: unknown) => {
          if (!(error instanceof HttpError)) console.error('An idle naive waiter failed:', error); // the backend logs its own 503s
        })
        .finally(() => {
          held -= 1;
        });
    }
    const timer = setTimeout(() => {
      batchEnds.shift();
      batchEndByClient.delete(client);
      release.abort();
    }, holdMs);
    timer.unref(); // held waiters must never keep the process alive

    return jsonResponse({ added, held, limit: config.maxNaiveWaiters, holdSeconds: holdMs / 1_000 });
  };
}
