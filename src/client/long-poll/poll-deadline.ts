/**
 * The client-side deadline of a held request. A connection whose path went quiet (a sleeping
 * laptop, a NAT that forgot the mapping) sends no FIN or RST: without a deadline the request
 * waits forever. The server says how long it holds a poll (`X-Poll-Timeout-Ms`, sent with the
 * headers, at once), so the client's limit is derived from that promise and cannot drift from it.
 */
// #region poll-deadline
/** How long past the server's own timeout an answer may still be on its way. */
export const POLL_DEADLINE_MARGIN_MS = 5_000;
/** Used until the server has said its timeout (the server's default poll timeout). */
export const ASSUMED_POLL_TIMEOUT_MS = 25_000;
/** The header carrying the server's poll timeout. */
export const POLL_TIMEOUT_HEADER = 'X-Poll-Timeout-Ms';
/** The longest poll timeout a client believes: a larger header is treated as this. */
export const MAX_BELIEVED_POLL_TIMEOUT_MS = 5 * 60_000;

/** Reads `X-Poll-Timeout-Ms`; `undefined` when absent or not a whole number of milliseconds. */
export function readPollTimeoutMs(headers: Headers): number | undefined {
  const raw = headers.get(POLL_TIMEOUT_HEADER)?.trim();
  if (!raw || !/^\d{1,9}$/.test(raw)) return undefined;
  return Math.min(Number(raw), MAX_BELIEVED_POLL_TIMEOUT_MS);
}

/** The client's deadline for a held request, in ms from when it was sent: the server's timeout plus the margin. */
export function pollDeadlineMs(serverTimeoutMs: number | undefined, marginMs = POLL_DEADLINE_MARGIN_MS): number {
  return (serverTimeoutMs ?? ASSUMED_POLL_TIMEOUT_MS) + marginMs;
}
// #endregion poll-deadline
