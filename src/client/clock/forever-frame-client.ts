/**
 * Browser side of the forever frame: a hidden iframe whose document never finishes
 * loading; each `<script>` the server streams into it calls `window.cometClock` here.
 * A watchdog replaces a frame that has gone quiet, with backoff between attempts.
 */
import { Backoff } from '../backoff.ts';

export type FrameMessage =
  | { type: 'open'; intervalMs: number; maxBytes: number }
  | { type: 'tick'; seq: number; serverTime: number; bytes: number }
  | { type: 'recycle'; bytes: number };

export type ClockState = 'connecting' | 'open' | 'retrying' | 'closed';

export interface ClockEvents {
  /** `retryAt` (ms since the epoch) is set while retrying. */
  state: { state: ClockState; retryAt?: number };
  tick: { serverTime: number; receivedAt: number; bytes: number };
  wire: string;
}

declare global {
  interface Window {
    cometClock?: (message: FrameMessage, source: Window) => void;
  }
}

/** A frame that has not said anything for this many tick intervals is considered dead. */
export const WATCHDOG_INTERVALS = 2.5;
/** Until the frame's `open` message says otherwise. */
const DEFAULT_INTERVAL_MS = 1_000;
/** The first message may take longer than a tick: it includes connecting. */
const FIRST_MESSAGE_TIMEOUT_MS = 5_000;

export interface ForeverFrameClientOptions {
  /** Where the hidden frames go. */
  container: HTMLElement;
  src?: string;
  backoff?: Backoff;
}

export class ForeverFrameClient extends EventTarget {
  #container: HTMLElement;
  #src: string;
  #backoff: Backoff;
  #frame: HTMLIFrameElement | null = null;
  #running = false;
  #intervalMs = DEFAULT_INTERVAL_MS;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** While the learner has "cut the network", no frame may be opened before this time. */
  #offlineUntil = 0;
  /** Bytes of frames already finished, so the total survives recycling. */
  #bytesOfEndedFrames = 0;
  #bytesOfCurrentFrame = 0;

  constructor({ container, src = '/api/clock/frame', backoff = new Backoff() }: ForeverFrameClientOptions) {
    super();
    this.#container = container;
    this.#src = src;
    this.#backoff = backoff;
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
    this.#emit('state', { state: 'closed' });
  }

  /** Fault injection: drop the current connection as a network failure would. */
  dropConnection(): void {
    if (this.#frame) this.#fail('connection dropped on purpose');
  }

  /** Fault injection: behave as if offline for `ms`; attempts in that time fail at once. */
  cutNetwork(ms: number): void {
    this.#offlineUntil = Date.now() + ms;
    if (this.#frame) this.#fail('the network is cut');
  }

  // #region open-frame
  #openFrame(reason: string): void {
    this.#removeFrame();
    if (Date.now() < this.#offlineUntil) {
      this.#emit('wire', 'cannot connect: the network is cut');
      this.#scheduleRetry();
      return;
    }
    this.#bytesOfCurrentFrame = 0;
    this.#emit('state', { state: 'connecting' });
    const frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'Clock connection (hidden)';
    frame.tabIndex = -1;
    // `load` fires when the document ends: after a recycle (the frame is gone by then) or a failure.
    frame.addEventListener('load', () => {
      if (frame === this.#frame) this.#fail('the frame ended without a recycle message');
    });
    frame.src = this.#src;
    this.#frame = frame;
    this.#container.append(frame);
    this.#armWatchdog(FIRST_MESSAGE_TIMEOUT_MS);
    this.#emit('wire', reason);
  }
  // #endregion open-frame

  #removeFrame(): void {
    clearTimeout(this.#watchdog);
    this.#frame?.remove();
    this.#frame = null;
  }

  #receive(message: FrameMessage, source: Window): void {
    // Ignore a frame we already let go of (its last scripts may still run).
    if (!this.#frame || source !== this.#frame.contentWindow) return;
    switch (message.type) {
      case 'open':
        this.#intervalMs = message.intervalMs;
        this.#armWatchdog(this.#intervalMs * WATCHDOG_INTERVALS);
        this.#emit('state', { state: 'open' });
        this.#emit('wire', `open: a tick every ${message.intervalMs} ms, recycled at ${formatBytes(message.maxBytes)}`);
        break;
      case 'tick':
        this.#backoff.reset();
        this.#armWatchdog(this.#intervalMs * WATCHDOG_INTERVALS);
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
        this.#bytesOfCurrentFrame = 0;
        this.#emit('wire', `recycle: the document reached ${formatBytes(message.bytes)}`);
        // Open the next frame at once: it is up long before the next tick is due.
        this.#openFrame('frame opened (recycled)');
        break;
    }
  }

  // #region watchdog
  /** Restarted by every message; if it ever fires, the frame has stalled without closing. */
  #armWatchdog(ms: number): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => this.#fail(`no message for ${Math.round(ms)} ms`), ms);
  }

  #fail(why: string): void {
    if (!this.#running) return;
    this.#bytesOfEndedFrames += this.#bytesOfCurrentFrame;
    this.#bytesOfCurrentFrame = 0;
    this.#removeFrame();
    this.#emit('wire', `error: ${why}`);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    const delay = this.#backoff.next();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#openFrame('frame opened (retry)'), delay);
    this.#emit('state', { state: 'retrying', retryAt: Date.now() + delay });
    this.#emit('wire', `retrying in ${(delay / 1000).toFixed(1)} s`);
  }
  // #endregion watchdog

  #emit<K extends keyof ClockEvents>(type: K, detail: ClockEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
