/**
 * The chat over Server-Sent Events, made to survive what `EventSource` alone does not
 * (WHATWG HTML §9.2): it reconnects by itself only after a network error of a 200 stream,
 * never after a non-200 answer or a wrong Content-Type (a proxy's 502), ignores `Retry-After`,
 * and cannot see a connection that went silent. So:
 * - a refusal arrives INSIDE a 200 stream (`retry: MS`, then `event: refused` with
 *   `{error, retryAfterMs}`): it is shown, and the browser reconnects after `retry`;
 * - an EventSource that ends CLOSED is replaced by the page, with the shared backoff, from the
 *   page's own cursor (a new EventSource cannot set `Last-Event-ID`: the cursor goes as `after=`);
 * - the server's named `heartbeat` events (every `heartbeatMs`, announced by `event: position`)
 *   are watched: a stream silent for {@link HEARTBEAT_MISSES} beats is abandoned and reopened;
 * - every event is shape-checked; a malformed one is a retryable error, never a silent stop.
 */
import { Backoff } from '../backoff.ts';
import { RoomView, type RoomChange } from '../chat/room-view.ts';
import { MalformedAnswerError, readChatMessage, readCursor } from '../malformed-answer.ts';
import { clampNetworkDelayMs } from '../network-delay.ts';

/** A stream with no event for this many heartbeat periods is considered dead. */
export const HEARTBEAT_MISSES = 2.5;
/** Until `event: position` says otherwise. */
export const ASSUMED_HEARTBEAT_MS = 15_000;

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'refused' | 'backing-off' | 'stopped';

export interface ChatEventSourceEvents {
  state: { state: StreamState; until?: number; reason?: string };
  messages: Pick<RoomChange, 'messages' | 'reset'>;
  gap: { cursor: string | undefined };
  /** A line for the wire log. */
  note: string;
  /** Whether an EventSource exists right now (for the count of held connections). */
  held: boolean;
}

/** The part of `EventSource` used here, so tests can give a fake. */
export interface EventSourceLike extends EventTarget {
  readonly readyState: number;
  close(): void;
}

export interface ChatEventSourceOptions {
  room: string;
  endpoint?: string;
  createEventSource?: (url: string) => EventSourceLike;
  backoff?: Backoff;
  now?: () => number;
}

const CLOSED = 2;

// #region event-source
export class ChatEventSource extends EventTarget {
  readonly view: RoomView;
  #endpoint: string;
  #create: (url: string) => EventSourceLike;
  #backoff: Backoff;
  #now: () => number;
  #source: EventSourceLike | undefined;
  #heartbeatMs = ASSUMED_HEARTBEAT_MS;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  /** Set by a refusal, cleared when a stream is accepted: the refusal stays on screen meanwhile. */
  #refused = false;
  opens = 0;

  constructor({ room, endpoint = '/api/chat/events', createEventSource = (url) => new EventSource(url), backoff = new Backoff(), now = Date.now }: ChatEventSourceOptions) {
    super();
    this.view = new RoomView(room);
    this.#endpoint = endpoint;
    this.#create = createEventSource;
    this.#backoff = backoff;
    this.#now = now;
  }

  get running(): boolean {
    return this.#running;
  }

  get cursor(): string | undefined {
    return this.view.cursor;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(reason = 'stopped'): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#close();
    this.#emit('state', { state: 'stopped', reason });
  }

  /** Closes the stream and opens a new one from the page's cursor (the demo's button, the `online` event). */
  reconnectNow(): void {
    if (!this.#running) return;
    clearTimeout(this.#retryTimer);
    this.#close();
    this.#connect();
  }

  #connect(): void {
    const query = new URLSearchParams({ room: this.view.room });
    // A new EventSource cannot send Last-Event-ID: the page's own cursor goes in the query.
    if (this.view.cursor !== undefined) query.set('after', this.view.cursor);
    const url = `${this.#endpoint}?${query}`;
    const source = this.#create(url);
    this.#source = source;
    this.#emit('held', true);
    this.#emit('state', { state: 'connecting' });
    this.#armWatchdog(); // a stream that never opens is abandoned too
    const on = (type: string, listener: (event: MessageEvent<string>) => void) =>
      source.addEventListener(type, (event) => {
        if (source !== this.#source) return; // a replaced stream's last events are ignored
        try {
          listener(event as MessageEvent<string>);
        } catch (error) {
          if (!(error instanceof MalformedAnswerError)) throw error;
          this.#retryLater(`${error.message}`);
        }
      });
    // A refusal also comes as a 200 stream: the stream counts as open once the server accepted it (its first event).
    let accepted = false;
    const accept = () => {
      if (accepted) return;
      accepted = true;
      this.#refused = false;
      this.#emit('state', { state: 'open' });
    };
    on('open', () => {
      this.opens += 1;
      accepted = false;
      this.#emit('note', `open: GET ${url}`);
      this.#armWatchdog();
    });
    on('position', (event) => {
      accept();
      const { cursor, heartbeatMs } = parseData(event.data) as { cursor?: unknown; heartbeatMs?: unknown };
      readCursor(cursor, 'position.cursor');
      if (typeof heartbeatMs === 'number' && heartbeatMs > 0) this.#heartbeatMs = clampNetworkDelayMs(heartbeatMs);
      if (this.view.cursor === undefined) this.view.cursor = cursor as string;
      this.#armWatchdog();
    });
    on('heartbeat', () => {
      accept();
      this.#armWatchdog();
    });
    on('message', (event) => {
      accept();
      const message = readChatMessage(parseData(event.data));
      this.#apply({ messages: [message], cursor: readCursor(event.lastEventId, 'event id'), gap: false, reset: false });
    });
    on('reset', (event) => {
      accept();
      const data = parseData(event.data) as { messages?: unknown } | unknown[];
      const list = Array.isArray(data) ? data : (data as { messages?: unknown }).messages;
      if (!Array.isArray(list)) throw new MalformedAnswerError('reset carries no message list');
      const messages = list.map((message, index) => readChatMessage(message, `reset[${index}]`));
      this.#apply({ messages, cursor: readCursor(event.lastEventId, 'event id'), gap: false, reset: true });
    });
    on('gap', () => this.#emit('gap', { cursor: this.view.cursor }));
    on('refused', (event) => {
      const { error, retryAfterMs } = parseData(event.data) as { error?: unknown; retryAfterMs?: unknown };
      const delayMs = clampNetworkDelayMs(typeof retryAfterMs === 'number' ? retryAfterMs : 0);
      const reason = typeof error === 'string' ? error : 'refused';
      this.#refused = true;
      this.#emit('state', { state: 'refused', until: this.#now() + delayMs, reason });
      this.#emit('note', `refused: ${reason}; the browser tries again in ${(delayMs / 1000).toFixed(1)} s`);
      this.#armWatchdog(delayMs); // the stream ends now; the browser's own retry follows, watched too
    });
    on('error', () => {
      if (source.readyState !== CLOSED) {
        this.#armWatchdog(); // a reconnect that never opens is abandoned too
        // CONNECTING: the browser retries by itself, with Last-Event-ID.
        if (!this.#refused) this.#emit('state', { state: 'reconnecting' }); // a refusal stays on screen until a stream is accepted
        this.#emit('note', 'error: the stream ended; the browser reconnects on its own');
        return;
      }
      this.#retryLater('the stream was refused or was not an event stream (EventSource gave up)');
    });
  }

  #apply(answer: Parameters<RoomView['apply']>[0]): void {
    this.#armWatchdog();
    this.#backoff.reset();
    const change = this.view.apply(answer);
    if (!change) return;
    if (change.stale) return this.#retryLater('an event of another room incarnation: reading again from the cursor');
    if (change.messages.length || change.reset) this.#emit('messages', { messages: change.messages, reset: change.reset });
  }

  /** The page's own reconnect: close, wait the shared backoff, open again from the cursor. */
  #retryLater(reason: string): void {
    this.#close();
    if (!this.#running) return;
    const delayMs = this.#backoff.next();
    this.#emit('state', { state: 'backing-off', until: this.#now() + delayMs, reason });
    this.#emit('note', `${reason}; the page reconnects in ${(delayMs / 1000).toFixed(1)} s from cursor ${this.view.cursor ?? '(none)'}`);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
  }

  /** (Re)starts the silence timer: {@link HEARTBEAT_MISSES} heartbeats, after `extraMs` (a refusal's retry). */
  #armWatchdog(extraMs = 0): void {
    this.#disarmWatchdog();
    this.#watchdog = setTimeout(() => this.#retryLater('no heartbeat: the connection went silent'), extraMs + this.#heartbeatMs * HEARTBEAT_MISSES);
  }

  #disarmWatchdog(): void {
    clearTimeout(this.#watchdog);
  }

  #close(): void {
    this.#disarmWatchdog();
    if (!this.#source) return;
    this.#source.close();
    this.#source = undefined;
    this.#emit('held', false);
  }

  #emit<K extends keyof ChatEventSourceEvents>(type: K, detail: ChatEventSourceEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
// #endregion event-source

function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    throw new MalformedAnswerError('event data is not JSON');
  }
}
