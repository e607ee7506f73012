import { tooManyRequests } from '../http/http-error.ts';

/**
 * Per-client token buckets: each client may spend `burst` actions at once and earns
 * `perSecond` back over time. Memory stays bounded: past `maxClients`, the least recently
 * active client's bucket makes room for a new one.
 */
export interface RateLimiterOptions {
  perSecond: number;
  burst: number;
  maxClients?: number;
  /** `false` lets every action through (RATE_LIMITS=off, for load tests on loopback). */
  enabled?: boolean;
  now?: () => number;
}

export interface RateLimiter {
  /** Spends one token for `client`, or throws a 429 with Retry-After. */
  take(client: string, what: string): void;
  readonly trackedClients: number;
}

export function createRateLimiter({
  perSecond,
  burst,
  maxClients = 10_000,
  enabled = true,
  now = Date.now,
}: RateLimiterOptions): RateLimiter {
  // Map iteration order is insertion order: re-inserting on use keeps the oldest first.
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();

  const refill = (bucket: { tokens: number; updatedAt: number }, at: number) => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1_000) * perSecond);
    bucket.updatedAt = at;
  };

  return {
    // #region take
    take(client, what) {
      if (!enabled) return;
      const at = now();
      const bucket = buckets.get(client) ?? { tokens: burst, updatedAt: at };
      refill(bucket, at);
      buckets.delete(client);
      if (bucket.tokens < 1) {
        buckets.set(client, bucket);
        throw tooManyRequests(`too many ${what}; at most ${perSecond} per second`, (1 - bucket.tokens) / perSecond);
      }
      bucket.tokens -= 1;
      buckets.set(client, bucket);
      if (buckets.size > maxClients) {
        // The least recently active client is forgotten (and so starts afresh if it returns).
        buckets.delete(buckets.keys().next().value!);
      }
    },
    // #endregion take
    get trackedClients() {
      return buckets.size;
    },
  };
}
