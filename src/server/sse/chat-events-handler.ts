import { parseRoom } from '../chat/chat-input.ts';
import { parseCursor, type Cursor } from '../chat/cursor.ts';
import type { MessageStore } from '../chat/message-store.ts';
import type { SiteConfig } from '../config.ts';
import { HttpError, serviceUnavailable } from '../http/http-error.ts';
import { readQuery } from '../http/query-params.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { createChatEventStream, refusedEvent } from './chat-event-stream.ts';

export const SSE_STREAMS_PER_CLIENT = 4;

export interface ChatEventsHandlerOptions {
  store: MessageStore;
  stats: ServerStats;
  config: Pick<SiteConfig, 'perClientLimits' | 'maxSseStreams'>;
  shutdownSignal?: AbortSignal;
}

const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

/**
 * `GET /api/chat/events?room=NAME[&after=CURSOR]`, or with a `Last-Event-ID` header (a cursor) when
 * the browser reconnects. A malformed room or cursor is a 400; a refusal over a limit (429, 503)
 * is sent inside a `200` stream as `retry:` and `event: refused`, because an EventSource never
 * reconnects after a non-200 answer (WHATWG HTML §9.2.3).
 */
export function createChatEventsHandler({ store, stats, config, shutdownSignal }: ChatEventsHandlerOptions) {
  const quota = createWaiterQuota({
    maxTotal: config.maxSseStreams,
    maxPerClient: SSE_STREAMS_PER_CLIENT,
    perClientEnabled: config.perClientLimits,
    what: 'event streams',
  });
  stats.addGauge('sseStreams', () => quota.held);

  return function handleChatEvents(request: Request, client: string): Response {
    // #region events-endpoint
    const query = readQuery(new URL(request.url), ['room', 'after']);
    const room = parseRoom(query.get('room'));
    const lastEventId = request.headers.get('last-event-id');
    const rawAfter = lastEventId !== null && lastEventId !== '' ? lastEventId : query.get('after');
    const after: Cursor | undefined =
      rawAfter === undefined ? undefined : parseCursor(rawAfter, rawAfter === lastEventId ? 'Last-Event-ID' : 'after');
    let release: () => void;
    try {
      if (shutdownSignal?.aborted) throw serviceUnavailable('the server is restarting; try again shortly', 2);
      release = quota.acquire(client); // 429 or 503 past the limits
    } catch (error) {
      if (error instanceof HttpError) return refusal(error);
      throw error;
    }

    const body = createChatEventStream({ store, room, after, signal: request.signal, endSignal: shutdownSignal, onClose: release });
    return new Response(body, { headers: EVENT_STREAM_HEADERS });
    // #endregion events-endpoint
  };
}

/** A refusal the browser's EventSource can act on: a 200 stream that says why and when to come back, then ends. */
function refusal(error: HttpError): Response {
  const retryAfterMs = Number(error.headers['Retry-After'] ?? '1') * 1_000;
  return new Response(refusedEvent(error.message, retryAfterMs), { headers: EVENT_STREAM_HEADERS });
}
