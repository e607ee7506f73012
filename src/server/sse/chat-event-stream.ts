import type { ChatMessage } from '../chat/chat-message.ts';
import type { MessageStore } from '../chat/message-store.ts';

/** A comment line this often keeps proxies from cutting a quiet stream. */
export const SSE_KEEPALIVE_MS = 15_000;
/** Streams end after this long; the browser reconnects by itself, from the last id. */
export const SSE_MAX_DURATION_MS = 5 * 60_000;
/** Sent as `retry:`: how long the browser waits before reconnecting. */
export const SSE_RETRY_MS = 2_000;
/**
 * Streams end once they have carried this much, as a forever frame recycles: the Node adapter
 * writes whatever is enqueued without waiting for a slow socket, so this bounds what one
 * client that never reads can pile up in memory. The browser reconnects from its last id.
 */
export const SSE_MAX_BYTES = 256 * 1024;
/** Bytes enqueued but not yet read past which a stream gives up on its reader and ends. */
export const SSE_MAX_QUEUED_BYTES = 64 * 1024;

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
  maxBytes?: number;
  maxQueuedBytes?: number;
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
    maxBytes = SSE_MAX_BYTES,
    maxQueuedBytes = SSE_MAX_QUEUED_BYTES,
    onClose,
  } = options;
  const stop = new AbortController();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let cancelled = false;
  let bytesSent = 0;

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

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // Once stopped (cancel, abort, deadline, budget) sending is a deliberate no-op: a store
        // read still in flight must not enqueue on a stream the client has already left.
        const send = (text: string) => {
          if (stop.signal.aborted) return;
          const bytes = encoder.encode(text);
          bytesSent += bytes.byteLength;
          controller.enqueue(bytes);
          // With the queuing strategy below, -desiredSize is the bytes the reader has not taken yet.
          if (bytesSent >= maxBytes || -(controller.desiredSize ?? 0) > maxQueuedBytes) close();
        };

        // #region pump
        const pump = async () => {
          send(`retry: ${SSE_RETRY_MS}\n\n`);
          let cursor = after;
          if (cursor === undefined) {
            const latest = await store.read(room);
            latest.messages.forEach((message) => send(messageEvent(message)));
            cursor = latest.cursor;
          }
          // Ends at the deadline, on shutdown, when the client leaves, or once the stream has
          // carried its byte budget: the browser then reconnects from the last id it saw.
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

        if (signal?.aborted || endSignal?.aborted) {
          close();
          controller.close(); // nobody to send to, or the server is going: end the response at once
          return;
        }
        signal?.addEventListener('abort', close, { once: true });
        endSignal?.addEventListener('abort', close, { once: true });
        deadline = setTimeout(close, maxDurationMs);

        pump().then(
          () => {
            if (!cancelled) controller.close(); // ended by us (deadline, budget, shutdown) or the client: end the response
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
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}
