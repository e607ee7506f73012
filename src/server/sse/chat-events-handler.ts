import { parseRoom } from '../chat/chat-input.ts';
import type { MessageStore } from '../chat/message-store.ts';
import type { SiteConfig } from '../config.ts';
import { serviceUnavailable } from '../http/http-error.ts';
import { optionalInteger, parseInteger, readQuery } from '../http/query-params.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { createChatEventStream } from './chat-event-stream.ts';

export const SSE_STREAMS_PER_CLIENT = 4;

export interface ChatEventsHandlerOptions {
  store: MessageStore;
  stats: ServerStats;
  config: Pick<SiteConfig, 'perClientLimits' | 'maxSseStreams'>;
  shutdownSignal?: AbortSignal;
}

/** `GET /api/chat/events?room=NAME[&after=ID]`, or with a `Last-Event-ID` header when the browser reconnects. */
export function createChatEventsHandler({ store, stats, config, shutdownSignal }: ChatEventsHandlerOptions) {
  const quota = createWaiterQuota({
    maxTotal: config.maxSseStreams,
    maxPerClient: SSE_STREAMS_PER_CLIENT,
    perClientEnabled: config.perClientLimits,
  });
  stats.addGauge('sseStreams', () => quota.held);

  return function handleChatEvents(request: Request, client: string): Response {
    // #region events-endpoint
    const query = readQuery(new URL(request.url), ['room', 'after']);
    const room = parseRoom(query.get('room'));
    const lastEventId = request.headers.get('last-event-id');
    const after =
      lastEventId !== null && lastEventId !== ''
        ? parseInteger('Last-Event-ID', lastEventId, { min: 0, max: Number.MAX_SAFE_INTEGER })
        : optionalInteger(query, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER });
    if (shutdownSignal?.aborted) throw serviceUnavailable('the server is restarting; try again shortly', 2);
    const release = quota.acquire(client); // 429 or 503 past the limits

    const body = createChatEventStream({ store, room, after, signal: request.signal, endSignal: shutdownSignal, onClose: release });
    return new Response(body, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      },
    });
    // #endregion events-endpoint
  };
}
