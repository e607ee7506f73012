import { serializeForScript } from './script-payload.ts';

export const TICK_INTERVAL_MS = 1_000;
export const FRAME_MAX_BYTES = 128 * 1024;
/** Enough bytes before the first tick that buffering browsers and proxies start rendering. */
export const FRAME_PADDING_BYTES = 2 * 1024;

export type FrameMessage =
  | { type: 'open'; intervalMs: number; maxBytes: number }
  | { type: 'tick'; seq: number; serverTime: number; /** bytes of the document before this tick */ bytes: number }
  | { type: 'recycle'; bytes: number };

export type FrameCloseReason = 'recycled' | 'cancelled' | 'aborted';

export interface ForeverFrameOptions {
  /** Nonce of the frame's Content-Security-Policy; every inline script carries it. */
  nonce: string;
  intervalMs?: number;
  maxBytes?: number;
  /** The request's signal: the adapter aborts it when the client goes away. */
  signal?: AbortSignal;
  /** Ends the document early, as a recycle does (the server is shutting down). */
  endSignal?: AbortSignal;
  now?: () => number;
  onClose?: (reason: FrameCloseReason) => void;
}

const encoder = new TextEncoder();

// #region frame-head
/**
 * The document's opening: a `deliver` function that hands each message to the parent
 * page's `cometClock` (or, when the frame is opened on its own, prints it), then padding.
 */
function frameHead(nonce: string): string {
  const padding = `<!--${' '.repeat(FRAME_PADDING_BYTES)}-->`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clock frame</title></head><body>\n' +
    `<script nonce="${nonce}">` +
    'function deliver(message) {' +
    ' if (window.parent !== window && typeof window.parent.cometClock === "function") window.parent.cometClock(message, window);' +
    ' else document.body.append(JSON.stringify(message), document.createElement("br"));' +
    '}' +
    '</script>\n' +
    padding +
    '\n'
  );
}
// #endregion frame-head

function scriptChunk(nonce: string, message: FrameMessage): string {
  return `<script nonce="${nonce}">deliver(${serializeForScript(message)})</script>\n`;
}

/**
 * A never-ending HTML document, one `<script>` per tick, that ends itself once it has
 * grown to `maxBytes` so the page can swap in a fresh frame.
 */
export function createForeverFrameStream(options: ForeverFrameOptions): ReadableStream<Uint8Array> {
  const {
    nonce,
    intervalMs = TICK_INTERVAL_MS,
    maxBytes = FRAME_MAX_BYTES,
    signal,
    endSignal,
    now = Date.now,
    onClose,
  } = options;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let bytesSent = 0;
  let seq = 0;

  const send = (text: string) => {
    const bytes = encoder.encode(text);
    bytesSent += bytes.byteLength;
    controller.enqueue(bytes);
  };

  // #region cleanup
  // Both the stream's cancel() and the request's abort fire on a disconnect:
  // whichever comes first cleans up, the second finds nothing left to do.
  const close = (reason: FrameCloseReason) => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
    endSignal?.removeEventListener('abort', onEnd);
    if (reason !== 'cancelled') controller.close(); // a cancelled stream is already closed
    onClose?.(reason);
  };
  const onAbort = () => close('aborted');
  // #endregion cleanup
  const onEnd = () => {
    if (closed) return;
    send(closingChunk(nonce, bytesSent));
    close('recycled');
  };

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      if (signal?.aborted) {
        close('aborted');
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      send(frameHead(nonce));
      send(scriptChunk(nonce, { type: 'open', intervalMs, maxBytes }));
      if (endSignal?.aborted) return onEnd();
      endSignal?.addEventListener('abort', onEnd, { once: true });

      // #region tick
      timer = setInterval(() => {
        seq += 1;
        const tick = scriptChunk(nonce, { type: 'tick', seq, serverTime: now(), bytes: bytesSent });
        const closing = closingChunk(nonce, bytesSent);
        // Recycle before the document would outgrow its bound, so the bound is never crossed.
        if (bytesSent + byteLength(tick) + byteLength(closing) > maxBytes) {
          send(closing);
          close('recycled');
          return;
        }
        send(tick);
      }, intervalMs);
      // #endregion tick
    },
    cancel() {
      close('cancelled');
    },
  });
}

// #region recycle
/** The last words of a frame: tell the page to open a fresh one, then end the document. */
function closingChunk(nonce: string, bytes: number): string {
  return `${scriptChunk(nonce, { type: 'recycle', bytes })}</body></html>\n`;
}
// #endregion recycle

function byteLength(text: string): number {
  return encoder.encode(text).byteLength;
}
