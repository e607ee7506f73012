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
  if (header === null) return undefined;
  const text = header.trim();
  let delayMs: number;
  if (/^\d+$/.test(text)) {
    delayMs = Number(text) * 1_000;
  } else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    delayMs = date - now();
  }
  return Math.min(Math.max(delayMs, 0), MAX_SERVER_DELAY_MS);
}
// #endregion retry-after

// #region next-delay
/** The delay before the next attempt after `failures` failures in a row (0 for the first retry). */
export function nextDelayMs(failures: number, serverDelayMs: number | undefined, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** failures);
  const jittered = ceiling / 2 + policy.random() * (ceiling / 2); // half for sure, half at random
  return Math.round(Math.max(jittered, serverDelayMs ?? 0));
}
// #endregion next-delay

// #region resume
/** The messages of an answer the client has not shown yet: newer than its cursor's id, each once, in order. */
export function unseenMessages<T extends { id: number }>(lastId: number, messages: readonly T[]): T[] {
  const shown = new Set<number>();
  return messages.filter((message) => {
    if (message.id <= lastId || shown.has(message.id)) return false;
    shown.add(message.id);
    return true;
  });
}
// #endregion resume
