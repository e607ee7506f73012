import type { ChatMessage } from '../chat/chat-message.ts';
import { formatCursor, parseCursor, type Cursor } from '../chat/cursor.ts';
import type { MessageStore, ReadResult } from '../chat/message-store.ts';
import { HttpError } from '../http/http-error.ts';

/**
 * A named `heartbeat` event this often keeps proxies from cutting a quiet stream, and lets the
 * page notice a connection that went silent (a page cannot see comment lines).
 */
export const SSE_HEARTBEAT_MS = 15_000;
/** Streams end after this long; the browser reconnects by itself, from the last id. */
export const SSE_MAX_DURATION_MS = 5 * 60_000;
/** Sent as `retry:`: how long the browser waits before reconnecting. */
export const SSE_RETRY_MS = 2_000;
/**
 * Streams end once they have carried this much, as a forever frame recycles: with the queue
 * guard below and the server's send timeout (`SEND_TIMEOUT_MS` in scripts/api-edge.ts), it
 * bounds what one stream can hold for a client that reads slowly or not at all. The browser
 * reconnects from its last id.
 */
export const SSE_MAX_BYTES = 256 * 1024;
/** Bytes enqueued but not yet read past which a stream gives up on its reader and ends. */
export const SSE_MAX_QUEUED_BYTES = 64 * 1024;

export interface ChatEventStreamOptions {
  store: MessageStore;
  room: string;
  /** Resume after this cursor (the `Last-Event-ID` of a reconnecting browser); none: the latest messages. */
  after?: Cursor;
  /** The request's signal: aborted when the client goes away. */
  signal?: AbortSignal;
  /** Aborted at shutdown: the stream ends, the browser reconnects to the restarted server. */
  endSignal?: AbortSignal;
  heartbeatMs?: number;
  maxDurationMs?: number;
  maxBytes?: number;
  maxQueuedBytes?: number;
  onClose?: () => void;
}

const encoder = new TextEncoder();

// #region event-format
/** One message as a Server-Sent Event: its id is the cursor the browser sends back on reconnect. */
export function messageEvent(message: ChatMessage): string {
  return `id: ${formatCursor(message)}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * Where the stream starts, before any message: a browser that reconnects before the first
 * message still sends this id back, so its reconnect is a resume too.
 */
export function positionEvent(cursor: string, heartbeatMs: number): string {
  return `id: ${cursor}\nevent: position\ndata: ${JSON.stringify({ cursor, heartbeatMs })}\n\n`;
}

/** The client's cursor belongs to another incarnation of the room: here is the current one, to show instead. */
export function resetEvent({ messages, cursor }: ReadResult): string {
  return `id: ${cursor}\nevent: reset\ndata: ${JSON.stringify({ messages, cursor })}\n\n`;
}

/** A keep-alive the page can watch as a deadline. */
export function heartbeatEvent(heartbeatMs: number): string {
  return `event: heartbeat\ndata: ${JSON.stringify({ heartbeatMs })}\n\n`;
}

/**
 * A refusal inside a `200` stream (an EventSource cannot read a refusal's status or Retry-After,
 * WHATWG HTML §9.2): `retry:` makes the browser reconnect after `retryAfterMs`, the event tells the
 * page why. The stream then ends.
 */
export function refusedEvent(error: string, retryAfterMs: number): string {
  return `retry: ${retryAfterMs}\nevent: refused\ndata: ${JSON.stringify({ error, retryAfterMs })}\n\n`;
}

/** A refusal's `Retry-After` (RFC 9110 §10.2.3, in seconds) as the milliseconds `refusedEvent` sends; 1 s without one. */
export function retryAfterMsOf(error: HttpError): number {
  return Number(error.headers['Retry-After'] ?? '1') * 1_000;
}
// #endregion event-format

/** The cursor an answer leaves the client at (answers carry it as a string). */
const lastOf = (result: ReadResult): Cursor => parseCursor(result.cursor);

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
    heartbeatMs = SSE_HEARTBEAT_MS,
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
          const first = await store.read(room, after);
          let cursor: Cursor;
          if (first.reset) {
            send(positionEvent(first.cursor, heartbeatMs));
            send(resetEvent(first));
            cursor = lastOf(first);
          } else {
            // The position is just before the first message sent: the start of what follows.
            const start = after ?? (first.messages[0] ? { epoch: first.messages[0].epoch, id: first.messages[0].id - 1 } : undefined);
            send(positionEvent(start ? formatCursor(start) : first.cursor, heartbeatMs));
            if (first.gap) send('event: gap\ndata: {}\n\n');
            first.messages.forEach((message) => send(messageEvent(message)));
            cursor = lastOf(first);
          }
          // Ends at the deadline, on shutdown, when the client leaves, or once the stream has
          // carried its byte budget: the browser then reconnects from the last id it saw.
          while (!stop.signal.aborted) {
            const news = await store.waitForMessagesAfter(room, cursor, { timeoutMs: heartbeatMs, signal: stop.signal });
            if (stop.signal.aborted) break;
            if (news.reset) send(resetEvent(news));
            else {
              if (news.gap) send('event: gap\ndata: {}\n\n');
              news.messages.forEach((message) => send(messageEvent(message)));
            }
            if (news.messages.length === 0 && !news.reset) send(heartbeatEvent(heartbeatMs));
            cursor = lastOf(news);
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
            if (error instanceof HttpError) {
              // The store went away mid-stream (503 while Redis is down): a refusal, as at the start,
              // and the browser comes back after its retry; nothing went wrong in this server.
              send(refusedEvent(error.message, retryAfterMsOf(error)));
              close();
              if (!cancelled) controller.close();
              return;
            }
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
