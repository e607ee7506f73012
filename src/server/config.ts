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
}

export function readConfig(env: Record<string, string | undefined> = process.env): SiteConfig {
  return {
    dataDir: env.DATA_DIR || './data',
    perClientLimits: env.RATE_LIMITS !== 'off',
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    maxClockStreams: positiveInteger(env, 'MAX_CLOCK_STREAMS', 6_000),
  };
}

function positiveInteger(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number; received "${raw}"`);
  }
  return value;
}
