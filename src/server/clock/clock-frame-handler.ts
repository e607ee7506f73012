import { serviceUnavailable } from '../http/http-error.ts';
import { optionalInteger, readQuery } from '../http/query-params.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { createForeverFrameStream, FRAME_MAX_BYTES, TICK_INTERVAL_MS } from './forever-frame-stream.ts';

export interface ClockFrameHandlerOptions {
  stats: ServerStats;
  maxOpenStreams: number;
  /** Frames one client may hold open at once; unbounded unless given. */
  maxStreamsPerClient?: number;
  /** `false` lifts the per-client bound (RATE_LIMITS=off). */
  perClientLimits?: boolean;
  /** Aborted when the server shuts down: open frames end themselves, new ones are refused. */
  shutdownSignal?: AbortSignal;
}

/** `GET /api/clock/frame[?interval=MS][&maxBytes=N]`: one forever frame per request. */
export function createClockFrameHandler({
  stats,
  maxOpenStreams,
  maxStreamsPerClient = Number.POSITIVE_INFINITY,
  perClientLimits = true,
  shutdownSignal,
}: ClockFrameHandlerOptions) {
  const streams = createWaiterQuota({
    maxTotal: maxOpenStreams,
    maxPerClient: maxStreamsPerClient,
    perClientEnabled: perClientLimits,
    what: 'clock frames',
  });
  stats.addGauge('clockStreams', () => streams.held);

  /** `client` identifies the caller for the per-client bound; without one, only the total applies. */
  return function handleClockFrame(request: Request, client = 'unknown'): Response {
    // #region frame-endpoint
    const query = readQuery(new URL(request.url), ['interval', 'maxBytes']);
    const intervalMs = optionalInteger(query, 'interval', { min: 250, max: 5_000 }) ?? TICK_INTERVAL_MS;
    const maxBytes = optionalInteger(query, 'maxBytes', { min: 4 * 1024, max: FRAME_MAX_BYTES }) ?? FRAME_MAX_BYTES;
    if (shutdownSignal?.aborted) throw serviceUnavailable('the server is restarting; try again shortly', 2);
    const release = streams.acquire(client); // 429 past the client's share, 503 past the server's

    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
    const body = createForeverFrameStream({
      nonce,
      intervalMs,
      maxBytes,
      signal: request.signal,
      endSignal: shutdownSignal,
      onClose: release,
    });
    return new Response(body, {
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        // Ask nginx-style proxies not to buffer; nothing here compresses the stream.
        'X-Accel-Buffering': 'no',
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; frame-ancestors 'self'`,
        'X-Content-Type-Options': 'nosniff',
      },
    });
    // #endregion frame-endpoint
  };
}
