import { Backoff } from '../backoff.ts';
import { postMessage } from '../post-message.ts';
import { ChatSocketClient, MAX_DELAY_MS, type SocketChatMessage } from './chat-socket-client.ts';

/**
 * The same chat, three ways to receive it, each behind one small interface so that a page can
 * switch between them and show what each puts on the wire. The long poll and the event stream
 * post with `POST /api/chat/messages`; the WebSocket posts over its own connection.
 */
export type TransportName = 'long-poll' | 'event-stream' | 'websocket';

export interface TransportEvents {
  onMessages(messages: SocketChatMessage[], how: { replace: boolean }): void;
  /** One line of wire traffic as the page sees it: `out` to the server, `in` from it, `note` for a state change. */
  onWire(direction: 'in' | 'out' | 'note', text: string): void;
}

export interface Transport {
  start(): void;
  stop(): void;
  post(text: string, author: string): Promise<void>;
}

const utf8 = new TextEncoder();
/** Bytes of a payload as sent, for the wire log (headers and framing are not visible to a page). */
export const payloadBytes = (text: string) => utf8.encode(text).byteLength;

// #region long-poll-transport
/** A GET held by the server until news, then the next GET from the answer's cursor. */
export function longPollTransport(room: string, events: TransportEvents): Transport {
  let controller: AbortController | undefined;
  let cursor: string | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const backoff = new Backoff();
  const poll = async () => {
    controller = new AbortController();
    const query = new URLSearchParams({ room });
    if (cursor !== undefined) query.set('after', cursor);
    events.onWire('out', `GET /api/chat/messages?${query}`);
    try {
      const response = await fetch(`/api/chat/messages?${query}`, { signal: controller.signal, cache: 'no-store' });
      const text = await response.text();
      events.onWire('in', `${response.status} · ${payloadBytes(text)} B · ${text}`);
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const answer = JSON.parse(text) as { messages: SocketChatMessage[]; cursor: string | number; reset?: boolean };
      cursor = String(answer.cursor);
      events.onMessages(answer.messages, { replace: Boolean(answer.reset) });
      backoff.reset();
      void poll();
    } catch (error) {
      if (controller.signal.aborted) return;
      const delayMs = Math.min(backoff.next(), MAX_DELAY_MS);
      events.onWire('note', `${(error as Error).message}; next poll in ${delayMs} ms`);
      retry = setTimeout(() => void poll(), delayMs);
    }
  };
  return {
    start: () => void poll(),
    stop() {
      clearTimeout(retry);
      controller?.abort();
    },
    post: async (text, author) => {
      events.onWire('out', `POST /api/chat/messages · ${text}`);
      await postMessage(room, text, author);
    },
  };
}
// #endregion long-poll-transport

// #region event-stream-transport
/** One response that never ends; the browser's EventSource reconnects with Last-Event-ID by itself. */
export function eventStreamTransport(room: string, events: TransportEvents): Transport {
  let source: EventSource | undefined;
  return {
    start() {
      source = new EventSource(`/api/chat/events?${new URLSearchParams({ room })}`);
      events.onWire('out', `GET /api/chat/events?room=${room} (Accept: text/event-stream)`);
      const show = (type: string) => (event: MessageEvent<string>) => {
        events.onWire('in', `event: ${type}${event.lastEventId ? ` · id: ${event.lastEventId}` : ''} · ${payloadBytes(event.data)} B · ${event.data}`);
        if (type !== 'message' && type !== 'reset') return;
        const data = JSON.parse(event.data) as SocketChatMessage & { messages?: SocketChatMessage[] };
        if (type === 'message') events.onMessages([data], { replace: false });
        else events.onMessages(data.messages ?? [], { replace: true });
      };
      for (const type of ['message', 'position', 'reset', 'heartbeat', 'refused']) source.addEventListener(type, show(type) as EventListener);
      source.addEventListener('error', () => events.onWire('note', 'the stream ended; the browser reconnects by itself'));
    },
    stop() {
      source?.close();
    },
    post: async (text, author) => {
      events.onWire('out', `POST /api/chat/messages · ${text}`);
      await postMessage(room, text, author);
    },
  };
}
// #endregion event-stream-transport

// #region websocket-transport
/** One upgraded connection carrying JSON frames both ways; resuming and heartbeats are the page's job. */
export function socketTransport(room: string, events: TransportEvents): Transport {
  const url = new URL('/api/chat/socket', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = new ChatSocketClient({
    url: url.href,
    room,
    onMessages: (messages, { replace }) => events.onMessages(messages, { replace }),
    onState: (state, detail) => events.onWire('note', `${state}: ${detail}`),
    onFrame: (direction, text) => events.onWire(direction, `${payloadBytes(text)} B · ${text}`),
  });
  let unbind: (() => void) | undefined;
  return {
    start() {
      unbind ??= client.bindToPage(window);
      client.start();
    },
    stop() {
      unbind?.();
      unbind = undefined;
      client.stop('switched transport');
    },
    post: async (text, author) => {
      await client.post(text, author);
    },
  };
}
// #endregion websocket-transport

export const TRANSPORTS: Record<TransportName, (room: string, events: TransportEvents) => Transport> = {
  'long-poll': longPollTransport,
  'event-stream': eventStreamTransport,
  websocket: socketTransport,
};
