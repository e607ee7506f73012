/**
 * Browser side of the forever frame: a hidden iframe whose document never finishes
 * loading; each `<script>` the server streams into it calls `window.cometClock` here.
 */
export type FrameMessage =
  | { type: 'open'; intervalMs: number; maxBytes: number }
  | { type: 'tick'; seq: number; serverTime: number; bytes: number }
  | { type: 'recycle'; bytes: number };

export type ClockState = 'connecting' | 'open' | 'closed';

export interface ClockEvents {
  state: ClockState;
  tick: { serverTime: number; receivedAt: number; bytes: number };
  wire: string;
}

declare global {
  interface Window {
    cometClock?: (message: FrameMessage, source: Window) => void;
  }
}

export const RETRY_DELAY_MS = 2_000;

export interface ForeverFrameClientOptions {
  /** Where the hidden frames go. */
  container: HTMLElement;
  src?: string;
}

export class ForeverFrameClient extends EventTarget {
  #container: HTMLElement;
  #src: string;
  #frame: HTMLIFrameElement | null = null;
  #recycling = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  /** Bytes of frames already finished, so the total survives recycling. */
  #bytesOfEndedFrames = 0;
  #bytesOfCurrentFrame = 0;

  constructor({ container, src = '/api/clock/frame' }: ForeverFrameClientOptions) {
    super();
    this.#container = container;
    this.#src = src;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    window.cometClock = (message, source) => this.#receive(message, source);
    this.#openFrame('frame opened');
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#removeFrame(); // removing the iframe closes its connection
    this.#emit('wire', 'stopped: frame removed, connection closed');
    this.#emit('state', 'closed');
  }

  #openFrame(reason: string): void {
    this.#removeFrame();
    this.#bytesOfCurrentFrame = 0;
    this.#emit('state', 'connecting');
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'Clock connection (hidden)';
    frame.tabIndex = -1;
    frame.addEventListener('load', () => this.#onFrameEnded(frame));
    frame.src = this.#src;
    this.#frame = frame;
    this.#container.append(frame);
    this.#emit('wire', reason);
  }

  #removeFrame(): void {
    this.#frame?.remove();
    this.#frame = null;
  }

  #receive(message: FrameMessage, source: Window): void {
    // Ignore a frame we already let go of (its last scripts may still run).
    if (!this.#frame || source !== this.#frame.contentWindow) return;
    switch (message.type) {
      case 'open':
        this.#emit('state', 'open');
        this.#emit('wire', `open: a tick every ${message.intervalMs} ms, recycled at ${formatBytes(message.maxBytes)}`);
        break;
      case 'tick':
        this.#bytesOfCurrentFrame = message.bytes;
        this.#emit('tick', {
          serverTime: message.serverTime,
          receivedAt: Date.now(),
          bytes: this.#bytesOfEndedFrames + message.bytes,
        });
        this.#emit('wire', `tick #${message.seq}: ${message.serverTime}`);
        break;
      case 'recycle':
        this.#bytesOfEndedFrames += message.bytes;
        this.#emit('wire', `recycle: the document reached ${formatBytes(message.bytes)}`);
        // Open the next frame at once: it is up before the next tick is due.
        this.#recycling = true;
        this.#openFrame('frame opened (recycled)');
        this.#recycling = false;
        break;
    }
  }

  /** `load` fires when the frame's document ends: by a recycle (handled) or a failure. */
  #onFrameEnded(frame: HTMLIFrameElement): void {
    if (!this.#running || frame !== this.#frame || this.#recycling) return;
    this.#bytesOfEndedFrames += this.#bytesOfCurrentFrame;
    this.#removeFrame();
    this.#emit('state', 'closed');
    this.#emit('wire', `error: the frame ended unexpectedly; retrying in ${RETRY_DELAY_MS / 1000} s`);
    this.#retryTimer = setTimeout(() => this.#openFrame('frame opened (retry)'), RETRY_DELAY_MS);
  }

  #emit<K extends keyof ClockEvents>(type: K, detail: ClockEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
