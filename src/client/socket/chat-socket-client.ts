import { Backoff } from '../backoff.ts';

/**
 * The chat over WebSocket, in the browser: one socket per room, the protocol of
 * `src/server/socket/socket-protocol.ts`, and everything the browser does for an EventSource
 * (and does not do for a WebSocket) done by hand: resuming from the cursor after a drop, with the
 * shared backoff; noticing a dead connection (the page cannot see pings, so it watches for the
 * server's `heartbeat` messages); closing on `pagehide` so the page can enter the back/forward
 * cache, and reopening on `pageshow`.
 */
import type { ChatMessage } from '../../server/chat/chat-message.ts';
/** A chat message as the socket delivers it: the server's own type. */
export type SocketChatMessage = ChatMessage;

export type SocketState = 'connecting' | 'open' | 'waiting' | 'stopped';

export interface ChatSocketClientOptions {
  /** The endpoint, e.g. `ws://127.0.0.1:4321/api/chat/socket` (room and cursor are added). */
  url: string;
  room: string;
  /** New messages to show; with `replace`, they replace everything shown (a reset). `gap`: some were lost to retention. */
  onMessages(messages: SocketChatMessage[], how: { replace: boolean; gap: boolean }): void;
  onState?(state: SocketState, detail: string): void;
  /** Every frame, as it crosses the wire: `in` from the server, `out` to it. */
  onFrame?(direction: 'in' | 'out', text: string): void;
  backoff?: Backoff;
  /** Injected in tests: the browser's `WebSocket` by default. */
  WebSocketClass?: typeof WebSocket;
  /** How long to wait for the first frame, before the server has said its heartbeat period. */
  firstFrameTimeoutMs?: number;
}

/** Delays from the network are clamped to this before any timer (a `setTimeout` overflows past 2^31 ms). */
export const MAX_DELAY_MS = 5 * 60_000;
/** Margin over the server's heartbeat period before the page decides the connection is dead. */
export const HEARTBEAT_MARGIN_MS = 5_000;
/** Bytes the socket may hold unsent before posts wait in the page instead of piling up in it. */
export const CLIENT_MAX_BUFFERED_BYTES = 16 * 1024;
const FIRST_FRAME_TIMEOUT_MS = 20_000;
/** Close codes after which reconnecting is pointless without a change by the page (a bug): stop. */
const FATAL_CODES = new Set([1003, 1007, 1009]);

interface PendingPost {
  key: string;
  frame: string;
  sent: boolean;
  resolve(result: { message: SocketChatMessage; repeated: boolean }): void;
  reject(error: Error): void;
}

// #region client
export class ChatSocketClient {
  #options: ChatSocketClientOptions;
  #backoff: Backoff;
  #ws: WebSocket | undefined;
  #cursor: string | undefined;
  /** `epoch.id` of every message shown: a message delivered twice (a resend after a reconnect) is shown once. */
  #seen = new Set<string>();
  #posts = new Map<string, PendingPost>();
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatMs: number | undefined;
  #retryAfterMs = 0;
  #running = false;

  constructor(options: ChatSocketClientOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? new Backoff();
  }

  get running(): boolean {
    return this.#running;
  }

  /** The cursor of the newest message shown (sent back as `after=` on reconnect). */
  get cursor(): string | undefined {
    return this.#cursor;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /** Closes the socket (1000) and stops reconnecting; posts not yet answered stay queued for the next start. */
  stop(reason = 'stopped'): void {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#drop(1000, reason);
    this.#state('stopped', reason);
  }

  /**
   * Sends a post with an idempotency key; resolves with the stored message when the server answers
   * `posted`. Across a reconnect the same frame is sent again: the key makes the server store it once.
   * Rejects with the server's reason for a refused post (bad text, rate, key reused).
   */
  post(text: string, author?: string): Promise<{ message: SocketChatMessage; repeated: boolean }> {
    const key = crypto.randomUUID().replaceAll('-', '');
    const frame = JSON.stringify({ type: 'post', key, text, ...(author && { author }) });
    return new Promise((resolve, reject) => {
      this.#posts.set(key, { key, frame, sent: false, resolve, reject });
      this.#flushPosts();
    });
  }

  /** Ties the socket to the page: closed on `pagehide` (so the page may enter the bfcache), reopened on `pageshow`. */
  bindToPage(win: Window = window): () => void {
    let wasRunning = false;
    const onHide = () => {
      wasRunning = this.#running;
      if (wasRunning) this.stop('the page was hidden (pagehide)');
    };
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted && wasRunning) this.start();
    };
    win.addEventListener('pagehide', onHide);
    win.addEventListener('pageshow', onShow);
    return () => {
      win.removeEventListener('pagehide', onHide);
      win.removeEventListener('pageshow', onShow);
    };
  }

  #connect(): void {
    const url = new URL(this.#options.url);
    url.searchParams.set('room', this.#options.room);
    if (this.#cursor !== undefined) url.searchParams.set('after', this.#cursor);
    const Socket = this.#options.WebSocketClass ?? WebSocket;
    const ws = new Socket(url);
    this.#ws = ws;
    for (const post of this.#posts.values()) post.sent = false; // a new connection: everything unanswered goes again
    this.#state('connecting', url.search);
    this.#armWatchdog(this.#options.firstFrameTimeoutMs ?? FIRST_FRAME_TIMEOUT_MS);
    ws.onopen = () => this.#flushPosts();
    ws.onmessage = (event) => this.#receive(String(event.data));
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      clearTimeout(this.#watchdog);
      const detail = `closed ${event.code}${event.reason ? ` (${event.reason})` : ''}`;
      if (!this.#running) return;
      if (FATAL_CODES.has(event.code)) {
        this.#running = false;
        this.#state('stopped', detail);
        return;
      }
      this.#scheduleReconnect(detail);
    };
  }

  #receive(text: string): void {
    this.#options.onFrame?.('in', text);
    this.#armWatchdog((this.#heartbeatMs ?? FIRST_FRAME_TIMEOUT_MS) + HEARTBEAT_MARGIN_MS);
    let frame: Record<string, any>;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // not ours to interpret; the server never sends this
    }
    switch (frame.type) {
      case 'position':
        this.#heartbeatMs = Math.min(Number(frame.heartbeatMs) || FIRST_FRAME_TIMEOUT_MS, MAX_DELAY_MS);
        this.#armWatchdog(this.#heartbeatMs + HEARTBEAT_MARGIN_MS);
        this.#backoff.reset();
        this.#retryAfterMs = 0;
        this.#state('open', `heartbeat every ${this.#heartbeatMs} ms`);
        break;
      case 'messages': {
        const fresh = (frame.messages as SocketChatMessage[]).filter((message) => this.#remember(message));
        this.#cursor = frame.cursor;
        if (fresh.length > 0 || frame.gap) this.#options.onMessages(fresh, { replace: false, gap: Boolean(frame.gap) });
        break;
      }
      case 'reset':
        this.#seen.clear();
        (frame.messages as SocketChatMessage[]).forEach((message) => this.#remember(message));
        this.#cursor = frame.cursor;
        this.#options.onMessages(frame.messages, { replace: true, gap: false });
        break;
      case 'posted':
        this.#settle(frame.key, (post) => post.resolve({ message: frame.message, repeated: Boolean(frame.repeated) }));
        break;
      case 'error':
        if (typeof frame.retryAfterMs === 'number') this.#retryAfterMs = Math.min(frame.retryAfterMs, MAX_DELAY_MS);
        if (typeof frame.key === 'string') this.#settle(frame.key, (post) => post.reject(new Error(String(frame.error))));
        break;
      default: // 'heartbeat': its arrival has already re-armed the watchdog
    }
    this.#flushPosts();
  }

  #remember(message: SocketChatMessage): boolean {
    const key = `${message.epoch}.${message.id}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#seen.size > 2_000) this.#seen.delete(this.#seen.values().next().value!);
    return true;
  }

  #settle(key: string, settle: (post: PendingPost) => void): void {
    const post = this.#posts.get(key);
    if (!post) return;
    this.#posts.delete(key);
    settle(post);
  }

  // #region client-backpressure
  /** Sends unsent posts while the socket's own buffer is small; the rest wait for the next frame. */
  #flushPosts(): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return;
    for (const post of this.#posts.values()) {
      if (post.sent) continue;
      if (ws.bufferedAmount > CLIENT_MAX_BUFFERED_BYTES) return;
      ws.send(post.frame);
      post.sent = true;
      this.#options.onFrame?.('out', post.frame);
    }
  }
  // #endregion client-backpressure

  /** No frame from the server within the deadline: the connection is dead (or a proxy ate it): start over. */
  #armWatchdog(deadlineMs: number): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      this.#drop(4408, 'no heartbeat from the server');
      this.#scheduleReconnect(`nothing heard for ${deadlineMs} ms`);
    }, Math.min(deadlineMs, MAX_DELAY_MS));
  }

  #drop(code: number, reason: string): void {
    clearTimeout(this.#watchdog);
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState < 2) ws.close(code, reason);
  }

  #scheduleReconnect(detail: string): void {
    if (!this.#running) return;
    clearTimeout(this.#retryTimer);
    const delayMs = Math.min(this.#backoff.next(this.#retryAfterMs), MAX_DELAY_MS);
    this.#state('waiting', `${detail}; reconnecting in ${delayMs} ms`);
    this.#retryTimer = setTimeout(() => {
      if (this.#running) this.#connect();
    }, delayMs);
  }

  #state(state: SocketState, detail: string): void {
    this.#options.onState?.(state, detail);
  }
}
// #endregion client
