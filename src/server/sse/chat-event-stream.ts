import type { ChatMessage } from '../chat/chat-message.ts';
import type { MessageStore } from '../chat/message-store.ts';

/** A comment line this often keeps proxies from cutting a quiet stream. */
export const SSE_KEEPALIVE_MS = 15_000;
/** Streams end after this long; the browser reconnects by itself, from the last id. */
export const SSE_MAX_DURATION_MS = 5 * 60_000;
/** Sent as `retry:`: how long the browser waits before reconnecting. */
export const SSE_RETRY_MS = 2_000;

export interface ChatEventStreamOptions {
  store: MessageStore;
  room: string;
  /** Resume after this id (the `Last-Event-ID` of a reconnecting browser); none: the latest messages. */
  after?: number;
  /** The request's signal: aborted when the client goes away. */
  signal?: AbortSignal;
  /** Aborted at shutdown: the stream ends, the browser reconnects to the restarted server. */
  endSignal?: AbortSignal;
  keepAliveMs?: number;
  maxDurationMs?: number;
  onClose?: () => void;
}

const encoder = new TextEncoder();

// #region event-format
/** One message as a Server-Sent Event: its id is the cursor the browser sends back on reconnect. */
export function messageEvent(message: ChatMessage): string {
  return `id: ${message.id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`;
}
// #endregion event-format

/**
 * The chat as an `text/event-stream`: the same message store and cursor as the long poll,
 * but one response carries every message, and the browser's EventSource does the
 * reconnecting (with `Last-Event-ID`) that the long-poll client does by hand.
 */
export function createChatEventStream(options: ChatEventStreamOptions): ReadableStream<Uint8Array> {
  const {
    store,
    room,
    after,
    signal,
    endSignal,
    keepAliveMs = SSE_KEEPALIVE_MS,
    maxDurationMs = SSE_MAX_DURATION_MS,
    onClose,
  } = options;
  const stop = new AbortController();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let cancelled = false;

  // Cancel, abort, shutdown and the deadline all lead here; only the first does anything.
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(deadline);
    signal?.removeEventListener('abort', close);
    endSignal?.removeEventListener('abort', close);
    stop.abort();
    onClose?.();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));

      // #region pump
      const pump = async () => {
        send(`retry: ${SSE_RETRY_MS}\n\n`);
        let cursor = after;
        if (cursor === undefined) {
          const latest = await store.read(room);
          latest.messages.forEach((message) => send(messageEvent(message)));
          cursor = latest.cursor;
        }
        while (!stop.signal.aborted) {
          const news = await store.waitForMessagesAfter(room, cursor, { timeoutMs: keepAliveMs, signal: stop.signal });
          if (stop.signal.aborted) break;
          if (news.gap) send('event: gap\ndata: {}\n\n');
          if (news.messages.length === 0) send(': keep-alive\n\n');
          news.messages.forEach((message) => send(messageEvent(message)));
          cursor = news.cursor;
        }
      };
      // #endregion pump

      if (signal?.aborted || endSignal?.aborted) return close();
      signal?.addEventListener('abort', close, { once: true });
      endSignal?.addEventListener('abort', close, { once: true });
      deadline = setTimeout(close, maxDurationMs);

      pump().then(
        () => {
          if (!cancelled) controller.close(); // ended by us (deadline, shutdown) or the client: end the response
        },
        (error: unknown) => {
          console.error('The chat event stream failed:', error);
          close();
          if (!cancelled) controller.error(error);
        },
      );
    },
    cancel() {
      cancelled = true;
      close();
    },
  });
}
