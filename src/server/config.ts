import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { TEXT_MAX_CHARS } from './chat/chat-message.ts';

/**
 * Everything an operator can set, read once from the environment at start, before the
 * server listens. The README's configuration table lists exactly the variables of
 * `SETTING_NAMES` (a test keeps the two in step); defaults suit a single small public server.
 */
export interface SiteConfig {
  /** Address to listen on (`HOST`): an IP address or a host name. */
  host: string;
  /** TCP port to listen on (`PORT`), 0–65535; 0 picks a free one. */
  port: number;
  /** Folder for the chat log and the naive demo's data file. */
  dataDir: string;
  /** A client must finish sending its request headers within this many milliseconds (`HEADERS_TIMEOUT_MS`), or 408. */
  headersTimeoutMs: number;
  /** …and its whole request, body included (`REQUEST_TIMEOUT_MS`); never below `headersTimeoutMs`. */
  requestTimeoutMs: number;
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
  /** How long a chat poll is held before it answers empty, in milliseconds (`POLL_TIMEOUT_MS`); below proxies' idle cut-offs. */
  pollTimeoutMs: number;
  /** `REDIS_URL`: the chat's rooms live in this Redis (shared by every process) instead of the file log. */
  redisUrl?: string;
  /** Origins besides the site's own whose pages may write (`ALLOWED_ORIGINS`, comma-separated), e.g. behind a proxy. */
  allowedOrigins: string[];
  /**
   * Host names (lower case, IPv6 in brackets, no port) the server answers to (`ALLOWED_HOSTS`,
   * comma-separated; `*` for any). `null` means any. Defaults to the loopback names when
   * `host` is a loopback address, so that a page of another site whose name resolves to
   * 127.0.0.1 (DNS rebinding) cannot read or post to a local server.
   */
  allowedHosts: string[] | null;
  /**
   * Server processes sharing the port (`WORKERS`: 1 to 64, or `auto` for one per core). More
   * than one needs `REDIS_URL`, since the processes share the chat through Redis.
   */
  workers: number;
}

/** Every variable `readConfig` reads, in the README's order. */
export const SETTING_NAMES = [
  'HOST',
  'PORT',
  'DATA_DIR',
  'ALLOWED_HOSTS',
  'TRUST_PROXY',
  'RATE_LIMITS',
  'MAX_CLOCK_STREAMS',
  'MAX_CLOCK_STREAMS_PER_CLIENT',
  'MAX_NAIVE_WAITERS',
  'MAX_WAITERS',
  'MAX_SSE_STREAMS',
  'MAX_WAITERS_PER_CLIENT',
  'POLL_TIMEOUT_MS',
  'ALLOWED_ORIGINS',
  'BODY_MAX_BYTES',
  'MESSAGE_MAX_CHARS',
  'POSTS_PER_SECOND',
  'HEADERS_TIMEOUT_MS',
  'REQUEST_TIMEOUT_MS',
  'REDIS_URL',
  'WORKERS',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

/** The names a loopback server answers to by default. */
export const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The longest delay a Node timer can hold (2^31 − 1 ms); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A setting that cannot be used. Its message is the one line the server prints before
 * exiting: the variable, the value received and what is expected.
 */
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, received: string, expected: string) {
    super(`${setting}=${JSON.stringify(received)} cannot be used: expected ${expected}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/**
 * Reads and checks every setting. Throws `ConfigError` for the first unusable one.
 * @param env the environment (`process.env` in production; a plain object in tests)
 */
export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): SiteConfig {
  const host = hostSetting(env);
  const headersTimeoutMs = whole(env, 'HEADERS_TIMEOUT_MS', 10_000, { max: MAX_TIMER_MS, unit: 'milliseconds' });
  const requestTimeoutMs = whole(env, 'REQUEST_TIMEOUT_MS', 30_000, { max: MAX_TIMER_MS, unit: 'milliseconds' });
  const redisUrl = redisUrlSetting(env);
  return {
    host,
    port: whole(env, 'PORT', 4321, { min: 0, max: 65_535, unit: 'port number' }),
    dataDir: text(env, 'DATA_DIR', './data'),
    headersTimeoutMs,
    requestTimeoutMs: Math.max(headersTimeoutMs, requestTimeoutMs),
    perClientLimits: switchSetting(env, 'RATE_LIMITS', true),
    trustProxy: switchSetting(env, 'TRUST_PROXY', false),
    maxClockStreams: whole(env, 'MAX_CLOCK_STREAMS', 6_000),
    maxClockStreamsPerClient: whole(env, 'MAX_CLOCK_STREAMS_PER_CLIENT', 6),
    bodyMaxBytes: whole(env, 'BODY_MAX_BYTES', 4 * 1024, { max: 1024 * 1024, unit: 'bytes' }),
    messageMaxChars: whole(env, 'MESSAGE_MAX_CHARS', TEXT_MAX_CHARS, { max: TEXT_MAX_CHARS, unit: 'characters' }),
    postsPerSecond: whole(env, 'POSTS_PER_SECOND', 5, { max: 1_000 }),
    maxNaiveWaiters: whole(env, 'MAX_NAIVE_WAITERS', 500),
    maxChatWaiters: whole(env, 'MAX_WAITERS', 10_000),
    maxSseStreams: whole(env, 'MAX_SSE_STREAMS', 2_000),
    maxChatWaitersPerClient: whole(env, 'MAX_WAITERS_PER_CLIENT', 10),
    pollTimeoutMs: whole(env, 'POLL_TIMEOUT_MS', 25_000, { max: MAX_TIMER_MS, unit: 'milliseconds' }),
    allowedOrigins: list(env, 'ALLOWED_ORIGINS').map((origin) => originSetting(origin)),
    allowedHosts: allowedHostsSetting(env, host),
    redisUrl,
    workers: workersSetting(env, redisUrl),
  };
}

function text(env: Readonly<Record<string, string | undefined>>, name: SettingName, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function whole(
  env: Readonly<Record<string, string | undefined>>,
  name: SettingName,
  fallback: number,
  { min = 1, max = 1_000_000_000, unit = '' } = {},
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, raw, `a whole number from ${min} to ${max}${unit ? ` (${unit})` : ''}`);
  }
  return value;
}

function switchSetting(env: Readonly<Record<string, string | undefined>>, name: SettingName, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new ConfigError(name, raw, '"on" or "off" (also 1/0, true/false)');
}

function list(env: Readonly<Record<string, string | undefined>>, name: SettingName): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function hostSetting(env: Readonly<Record<string, string | undefined>>): string {
  const host = text(env, 'HOST', '127.0.0.1');
  if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host)) {
    throw new ConfigError('HOST', host, 'an IP address (such as 127.0.0.1 or 0.0.0.0) or a host name');
  }
  return host;
}

function originSetting(origin: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
    throw new ConfigError('ALLOWED_ORIGINS', origin, 'origins such as https://comet.example or http://localhost:8080, comma-separated');
  }
  return parsed.origin;
}

/** Is this listening address only reachable from this machine? */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function allowedHostsSetting(env: Readonly<Record<string, string | undefined>>, host: string): string[] | null {
  const names = list(env, 'ALLOWED_HOSTS');
  if (names.length === 0) return isLoopbackAddress(host) ? [...LOOPBACK_HOST_NAMES] : null;
  if (names.includes('*')) return null;
  return names.map((name) => {
    const normalized = name.toLowerCase();
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,252}))$/.test(normalized)) {
      throw new ConfigError('ALLOWED_HOSTS', name, 'host names without a port (IPv6 in brackets), comma-separated, or *');
    }
    return normalized;
  });
}

/** The most server processes `WORKERS` may ask for. */
export const MAX_WORKERS = 64;

function redisUrlSetting(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', raw, 'a redis:// or rediss:// address, e.g. redis://127.0.0.1:6379');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', raw, 'a redis:// or rediss:// address, e.g. redis://127.0.0.1:6379');
  }
  return raw;
}

function workersSetting(env: Readonly<Record<string, string | undefined>>, redisUrl: string | undefined): number {
  const raw = env.WORKERS;
  if (raw === undefined || raw === '') return 1;
  const count = raw === 'auto' ? availableParallelism() : Number(raw);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_WORKERS) {
    throw new ConfigError('WORKERS', raw, `a whole number from 1 to ${MAX_WORKERS}, or "auto"`);
  }
  if (count > 1 && redisUrl === undefined) {
    throw new ConfigError('WORKERS', raw, 'REDIS_URL as well: several processes share the chat through Redis');
  }
  return count;
}
