import { parseRoom } from '../chat/chat-input.ts';
import { parseCursor, type Cursor } from '../chat/cursor.ts';
import type { MessageStore } from '../chat/message-store.ts';
import type { SharedWaiterCount } from '../cluster/shared-limits.ts';
import type { SiteConfig } from '../config.ts';
import { HttpError, serviceUnavailable } from '../http/http-error.ts';
import { readQuery } from '../http/query-params.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { createChatEventStream, refusedEvent, retryAfterMsOf } from './chat-event-stream.ts';

/** Event streams one client may hold open at once (lifted by `RATE_LIMITS=off`); counted across processes with Redis. */
export const SSE_STREAMS_PER_CLIENT = 4;

export interface ChatEventsHandlerOptions {
  store: MessageStore;
  stats: ServerStats;
  config: Pick<SiteConfig, 'perClientLimits' | 'maxSseStreams'>;
  shutdownSignal?: AbortSignal;
  /**
   * With several processes (`REDIS_URL`): the client's open streams counted across all of them
   * (`SharedChatLimits.eventStreams`). This process then counts only its own total.
   */
  sharedStreams?: SharedWaiterCount;
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
 * reconnects after a non-200 answer (WHATWG HTML §9.2.3). Over `SSE_STREAMS_PER_CLIENT` the refusal
 * is a 429; while the shared counts in Redis cannot be reached, a 503 (`retryAfterMs` 5 000).
 */
export function createChatEventsHandler({ store, stats, config, shutdownSignal, sharedStreams }: ChatEventsHandlerOptions) {
  const quota = createWaiterQuota({
    maxTotal: config.maxSseStreams,
    maxPerClient: SSE_STREAMS_PER_CLIENT,
    perClientEnabled: config.perClientLimits && !sharedStreams, // shared: counted across processes below
    what: 'event streams',
  });
  stats.addGauge('sseStreams', () => quota.held);

  /** A place for one stream: in this process, and, with several processes, in the client's count across all of them. */
  const acquireStream = async (client: string): Promise<() => void> => {
    const releaseHere = quota.acquire(client); // 429 or 503
    if (!sharedStreams) return releaseHere;
    const releaseShared = await sharedStreams.acquire(client).catch((error: unknown) => {
      releaseHere();
      throw error;
    });
    return () => {
      releaseHere();
      releaseShared();
    };
  };

  return async function handleChatEvents(request: Request, client: string): Promise<Response> {
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
      release = await acquireStream(client); // 429 or 503 past the limits
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
  return new Response(refusedEvent(error.message, retryAfterMsOf(error)), { headers: EVENT_STREAM_HEADERS });
}
