import { TEXT_MAX_CHARS } from './chat/chat-message.ts';

/**
 * Everything an operator can set, read once from the environment at start.
 * The README lists each variable; defaults suit a single small public server.
 */
export interface SiteConfig {
  /** Folder for the chat log and the naive demo's data file. */
  dataDir: string;
  /** `RATE_LIMITS=off` turns per-client limits off (load tests on loopback only). */
  perClientLimits: boolean;
  /** Honour X-Forwarded-For for client identity: only behind a reverse proxy you run (`TRUST_PROXY=1`). */
  trustProxy: boolean;
  /** Forever frames open at once, across all visitors. */
  maxClockStreams: number;
  /** Forever frames one client may hold open at once (`MAX_CLOCK_STREAMS_PER_CLIENT`; lifted by `RATE_LIMITS=off`). */
  maxClockStreamsPerClient: number;
  /** Largest request body a write endpoint reads, in bytes (`BODY_MAX_BYTES`); larger bodies get 413. */
  bodyMaxBytes: number;
  /** Longest chat message, in UTF-16 code units (`MESSAGE_MAX_CHARS`); can only be lowered below 500. */
  messageMaxChars: number;
  /** Chat messages one client may send per second, with bursts of twice that (`POSTS_PER_SECOND`). */
  postsPerSecond: number;
  /** Naive-chat waits held at once, across all visitors (`MAX_NAIVE_WAITERS`); each costs ~100 file checks a second. */
  maxNaiveWaiters: number;
  /** Chat long polls held at once, across all visitors (`MAX_WAITERS`). */
  maxChatWaiters: number;
  /** Chat event streams (Server-Sent Events) open at once, across all visitors (`MAX_SSE_STREAMS`). */
  maxSseStreams: number;
  /** Chat long polls one client may hold at once (`MAX_WAITERS_PER_CLIENT`; lifted by `RATE_LIMITS=off`). */
  maxChatWaitersPerClient: number;
  /** How long a chat poll is held before it answers empty (`POLL_TIMEOUT_MS`); below proxies' idle cut-offs. */
  pollTimeoutMs: number;
  /** `REDIS_URL`: the chat's rooms live in this Redis (shared by every process) instead of the file log. */
  redisUrl?: string;
  /** Origins besides the site's own whose pages may write (`ALLOWED_ORIGINS`, comma-separated), e.g. behind a proxy. */
  allowedOrigins: string[];
}

export function readConfig(env: Record<string, string | undefined> = process.env): SiteConfig {
  return {
    dataDir: env.DATA_DIR || './data',
    perClientLimits: env.RATE_LIMITS !== 'off',
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    maxClockStreams: positiveInteger(env, 'MAX_CLOCK_STREAMS', 6_000),
    maxClockStreamsPerClient: positiveInteger(env, 'MAX_CLOCK_STREAMS_PER_CLIENT', 6),
    bodyMaxBytes: positiveInteger(env, 'BODY_MAX_BYTES', 4 * 1024),
    messageMaxChars: positiveInteger(env, 'MESSAGE_MAX_CHARS', TEXT_MAX_CHARS, { max: TEXT_MAX_CHARS }),
    postsPerSecond: positiveInteger(env, 'POSTS_PER_SECOND', 5),
    maxNaiveWaiters: positiveInteger(env, 'MAX_NAIVE_WAITERS', 500),
    maxChatWaiters: positiveInteger(env, 'MAX_WAITERS', 10_000),
    maxSseStreams: positiveInteger(env, 'MAX_SSE_STREAMS', 2_000),
    maxChatWaitersPerClient: positiveInteger(env, 'MAX_WAITERS_PER_CLIENT', 10),
    pollTimeoutMs: positiveInteger(env, 'POLL_TIMEOUT_MS', 25_000),
    redisUrl: env.REDIS_URL || undefined,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  };
}

function positiveInteger(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  { max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'a positive whole number' : `a whole number from 1 to ${max}`;
    throw new Error(`${name} must be ${range}; received "${raw}"`);
  }
  return value;
}
