import { createClient } from 'redis';
import { serviceUnavailable, tooManyRequests } from '../http/http-error.ts';
import { WAITER_RETRY_AFTER_SECONDS } from '../limits/waiter-quota.ts';

/** Seconds a client is asked to wait when the shared counters cannot be reached. */
export const LIMITS_UNAVAILABLE_RETRY_SECONDS = 5;

// A token bucket per client in one hash, refilled on Redis's clock, so that every process
// agrees on the time. KEYS[1] bucket; ARGV perSecond, burst. Returns {1} or {0, msUntilToken}.
// #region shared-bucket
const TAKE_TOKEN_SCRIPT = `
local perSecond, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or burst, tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) / 1000 * perSecond)
local ttl = math.ceil(burst / perSecond * 1000) + 1000 -- a full bucket needs no key
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {0, math.ceil((1 - tokens) / perSecond * 1000)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
redis.call('PEXPIRE', KEYS[1], ttl)
return {1}
`;
// #endregion shared-bucket

// The held requests of one client, across processes: one member per held request, scored with
// the Redis time at which it lapses by itself. A process killed with requests held cannot
// release them; they lapse within one poll timeout. KEYS[1] set; ARGV member, max, ttlMs.
// #region shared-count
const ACQUIRE_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;
// #endregion shared-count

// A long-lived connection's entry is a lease: the process holding it pushes its expiry one lease
// further while the connection is open. ZADD without XX puts back an entry that lapsed while Redis
// was away, so the count is true again once it returns. KEYS[1] set; ARGV ttlMs, members….
// #region shared-lease
const RENEW_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;
// #endregion shared-lease

/** A lease is renewed this many times per lease length, so one late renewal does not let it lapse. */
export const LEASE_RENEWALS_PER_TTL = 3;

export interface SharedLimitsOptions {
  /** `REDIS_URL` */
  url: string;
  prefix?: string;
  /**
   * The longest a poll is held (`POLL_TIMEOUT_MS`), in milliseconds: a held request's count lapses
   * after it, and so does a long-lived connection's lease once its process stops renewing it.
   */
  pollTimeoutMs: number;
  onWarning?: (message: string) => void;
}

/** Per-client limits that hold across processes, like `RateLimiter`, but answered by Redis. */
export interface SharedRateLimiter {
  /** Spends one token for `client`. @throws HttpError 429 with Retry-After, or 503 when Redis is unreachable. */
  take(client: string, what: string): Promise<void>;
}

export interface SharedWaiterCount {
  /**
   * Counts one more held request (or, with `renewed`, one more open connection) of `client`
   * across every process; resolves with its release (safe to call twice).
   * @throws HttpError 429 over `maxPerClient`, 503 when Redis is unreachable.
   */
  acquire(client: string): Promise<() => void>;
}

/**
 * The per-client limits of a site that runs as several processes, kept in Redis so that a
 * client cannot multiply its quota by reaching several processes: post rates (token buckets on
 * Redis's clock), held polls (counts whose entries lapse within one poll timeout when the
 * process holding them dies) and open event streams and sockets (the same counts, as leases
 * that the holding process renews while the connection lasts). The total a process holds stays
 * a local limit: it protects that process's sockets and memory.
 */
export function createSharedLimits({ url, prefix = 'comet:', pollTimeoutMs, onWarning = console.warn }: SharedLimitsOptions) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
  });
  let lastError = '';
  client.on('error', (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (message !== lastError) onWarning(`Redis (limits): ${message}`);
    lastError = message;
  });
  client.on('ready', () => (lastError = ''));
  client.connect().catch(() => {}); // failures are reported by the 'error' listener; it keeps trying
  let sequence = 0;
  /** This process's open leases: members by set key, renewed together on one timer. */
  const leases = new Map<string, Set<string>>();
  const renewEveryMs = Math.max(1, Math.floor(pollTimeoutMs / LEASE_RENEWALS_PER_TTL));
  const renewer = setInterval(() => {
    if (!client.isReady) return; // the leases lapse; the first renewal after Redis returns puts them back
    for (const [key, members] of leases) {
      client.eval(RENEW_SCRIPT, { keys: [key], arguments: [String(pollTimeoutMs), ...members] }).catch(() => {}); // reported by 'error'
    }
  }, renewEveryMs);
  renewer.unref(); // leases must never keep the process alive
  const processTag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  const evaluate = async (script: string, keys: string[], args: string[]): Promise<unknown> => {
    if (!client.isReady) throw serviceUnavailable('per-client limits cannot be checked right now; try again shortly', LIMITS_UNAVAILABLE_RETRY_SECONDS);
    try {
      return await client.eval(script, { keys, arguments: args });
    } catch (error) {
      onWarning(`Redis (limits): ${error instanceof Error ? error.message : String(error)}`);
      throw serviceUnavailable('per-client limits cannot be checked right now; try again shortly', LIMITS_UNAVAILABLE_RETRY_SECONDS);
    }
  };

  return {
    /** Like `createRateLimiter`: `burst` at once, `perSecond` back over time; `enabled: false` lets everything through. */
    rateLimiter({ name, perSecond, burst, enabled = true }: { name: string; perSecond: number; burst: number; enabled?: boolean }): SharedRateLimiter {
      return {
        async take(clientId, what) {
          if (!enabled) return;
          const reply = (await evaluate(TAKE_TOKEN_SCRIPT, [`${prefix}bucket:${name}:${clientId}`], [String(perSecond), String(burst)])) as number[];
          if (reply[0] !== 1) throw tooManyRequests(`too many ${what}; at most ${perSecond} per second`, (reply[1] ?? 1_000) / 1_000);
        },
      };
    },

    /**
     * Like the per-client half of `createWaiterQuota`; `enabled: false` counts nothing. With
     * `renewed`, for connections that outlive a poll (event streams, sockets), each entry is a lease
     * of one poll timeout renewed every third of it while held: a process killed with connections
     * open stops renewing, and its entries lapse within one poll timeout.
     */
    waiterCount({
      name,
      maxPerClient,
      enabled = true,
      what = 'waiting requests',
      renewed = false,
    }: { name: string; maxPerClient: number; enabled?: boolean; what?: string; renewed?: boolean }): SharedWaiterCount {
      return {
        async acquire(clientId) {
          if (!enabled) return () => {};
          const key = `${prefix}held:${name}:${clientId}`;
          const member = `${processTag}-${(sequence += 1)}`;
          const granted = await evaluate(ACQUIRE_SCRIPT, [key], [member, String(maxPerClient), String(pollTimeoutMs)]);
          if (granted !== 1) {
            throw tooManyRequests(`too many ${what} from one client; at most ${maxPerClient} at once`, Math.min(WAITER_RETRY_AFTER_SECONDS, 1));
          }
          if (renewed) leases.set(key, (leases.get(key) ?? new Set()).add(member));
          let released = false;
          return () => {
            if (released) return;
            released = true;
            if (renewed) {
              const members = leases.get(key);
              members?.delete(member);
              if (members?.size === 0) leases.delete(key);
            }
            if (client.isReady) client.zRem(key, member).catch(() => {}); // otherwise it lapses by itself
          };
        },
      };
    },

    /** Closes the connection; while Redis is unreachable, stops trying to reach it. */
    async close() {
      clearInterval(renewer);
      leases.clear();
      if (client.isReady) await client.close().catch(() => {});
      else if (client.isOpen) client.destroy();
    },
  };
}

export type SharedLimits = ReturnType<typeof createSharedLimits>;
