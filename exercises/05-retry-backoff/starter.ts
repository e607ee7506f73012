/**
 * When a client tries again after a failed request: exponential backoff with "equal jitter"
 * (so clients dropped together do not return together), never sooner than the server's
 * `Retry-After` (RFC 9110 §10.2.3), and never later than {@link MAX_SERVER_DELAY_MS} whatever
 * the server says. Then it resumes from its cursor, showing each message once.
 */
export const MAX_SERVER_DELAY_MS = 5 * 60_000;

export interface RetryPolicy {
  /** The ceiling of the first delay, in ms; each failure doubles it. */
  initialMs: number;
  /** The highest ceiling, in ms. */
  maxMs: number;
  /** A number in [0, 1), like Math.random. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialMs: 1_000, maxMs: 30_000, random: Math.random };

// #region retry-after
/**
 * A Retry-After header as ms from `now`: delay-seconds ("120") or an HTTP-date; clamped to
 * [0, MAX_SERVER_DELAY_MS]; `undefined` when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: () => number = Date.now): number | undefined {
  // TODO
  return header === null ? undefined : Number(header) * 1_000;
}
// #endregion retry-after

// #region next-delay
/** The delay before the next attempt after `failures` failures in a row (0 for the first retry). */
export function nextDelayMs(failures: number, serverDelayMs: number | undefined, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  // TODO: a ceiling that starts at initialMs and doubles with each failure, up to maxMs;
  // half of it for sure and the other half at random; never less than the server asked.
  return policy.initialMs;
}
// #endregion next-delay

// #region resume
/** The messages of an answer the client has not shown yet: newer than its cursor's id, each once, in order. */
export function unseenMessages<T extends { id: number }>(lastId: number, messages: readonly T[]): T[] {
  // TODO
  return [...messages];
}
// #endregion resume
