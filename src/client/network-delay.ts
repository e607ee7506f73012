/**
 * Delays the network asks for (an HTTP `Retry-After`, a refusal's `retryAfterMs`, an event
 * stream's `retry:`) pass through here before they reach a timer. `setTimeout` overflows at
 * 2^31 ms and fires at once, so an absurd value would turn a pause into a tight loop; a value
 * the client cannot read counts as "no delay asked" and leaves the choice to the backoff.
 */
// #region network-delay
/** The longest delay a server may impose on a client: 5 minutes. */
export const MAX_NETWORK_DELAY_MS = 5 * 60_000;

/** Bounds a delay from the network to 0…{@link MAX_NETWORK_DELAY_MS}; NaN and negatives → 0. */
export function clampNetworkDelayMs(delayMs: number): number {
  if (!Number.isFinite(delayMs) || delayMs <= 0) return delayMs === Infinity ? MAX_NETWORK_DELAY_MS : 0;
  return Math.min(MAX_NETWORK_DELAY_MS, Math.round(delayMs));
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds, clamped: delay-seconds or an HTTP date.
 * @returns 0 when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number {
  if (!value) return 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return clampNetworkDelayMs(Number(trimmed) * 1_000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? 0 : clampNetworkDelayMs(date - now);
}
// #endregion network-delay
