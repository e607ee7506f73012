/**
 * The long-poll loop every chat widget uses. It keeps a cursor (the last message id it has
 * shown), so after any interruption it asks for exactly what it missed: no message is
 * skipped, none is shown twice. Failures back off with jitter; the server's Retry-After is
 * honoured; a client mistake (4xx) is reported, never retried.
 */
import type { ChatMessage } from '../../server/chat/chat-message.ts';
import { Backoff } from '../backoff.ts';

export type { ChatMessage };

interface PollAnswer {
  messages: ChatMessage[];
  cursor: number;
  gap?: boolean;
}

export type LongPollState =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'waiting' }
  | { state: 'backing-off'; until: number; reason: string }
  | { state: 'stopped'; reason: string };

export type PollOutcome = 'messages' | 'empty' | 'network-error' | 'server-error' | 'retry-after' | 'client-error' | 'aborted';

export interface PollAttempt {
  startedAt: number;
  endedAt: number;
  outcome: PollOutcome;
  status?: number;
  /** For an answer: whether it was the initial load (no cursor yet), how many messages it carried, and the cursor it moved to. */
  initial?: boolean;
  received?: number;
  cursor?: number;
  /** The delay chosen before the next attempt, if any. */
  delayMs?: number;
}

export interface LongPollEvents {
  state: LongPollState;
  /** New messages in id order; `reset` when the list must be cleared first (the room started again). */
  messages: { messages: ChatMessage[]; reset: boolean };
  gap: { cursor: number };
  attempt: PollAttempt;
  fatal: { status: number; error: string };
}

export interface LongPollClientOptions {
  room: string;
  endpoint?: string;
  fetch?: typeof fetch;
  backoff?: Backoff;
  /** Extra request headers, e.g. the tab id the fault panel uses. */
  headers?: Record<string, string>;
  now?: () => number;
}

export class LongPollClient extends EventTarget {
  #room: string;
  #endpoint: string;
  #fetch: typeof fetch;
  #backoff: Backoff;
  #headers: Record<string, string>;
  #now: () => number;
  /** Highest id shown so far; `undefined` until the first answer (then we ask for the latest page). */
  #cursor: number | undefined;
  #running = false;
  #request: AbortController | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #offlineUntil = 0;
  #healthy = false;
  #repolling = false;

  constructor({ room, endpoint = '/api/chat/messages', fetch: fetcher, backoff = new Backoff(), headers = {}, now = Date.now }: LongPollClientOptions) {
    super();
    this.#room = room;
    this.#endpoint = endpoint;
    this.#fetch = fetcher ?? ((input, init) => globalThis.fetch(input, init));
    this.#backoff = backoff;
    this.#headers = headers;
    this.#now = now;
  }

  get room(): string {
    return this.#room;
  }

  get cursor(): number | undefined {
    return this.#cursor;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#healthy = false;
    void this.#loop();
  }

  stop(reason = 'stopped'): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#resumeEarly?.(); // a loop waiting out a backoff sees `running` is false and ends
    this.#request?.abort();
    this.#emit('state', { state: 'stopped', reason });
  }

  /** Another room: start over from its latest messages. */
  switchRoom(room: string): void {
    const wasRunning = this.#running;
    this.stop('switching rooms');
    this.#room = room;
    this.#cursor = undefined;
    if (wasRunning) this.start();
  }

  /** Skip the rest of a backoff and poll now (the browser came back online). */
  retryNow(): void {
    if (!this.#running || !this.#resumeEarly) return;
    clearTimeout(this.#retryTimer);
    this.#resumeEarly();
  }

  /** Ends the poll in flight without counting it as a failure, and polls again at once. */
  repoll(): void {
    if (!this.#request) return this.retryNow();
    this.#repolling = true;
    this.#request.abort(new Error('poll restarted'));
  }

  /** Fault injection: drop the connection in flight, as a network failure would. */
  dropConnection(): void {
    this.#request?.abort(new Error('connection dropped on purpose'));
  }

  /** Fault injection: every request fails at once for `ms`, as if offline. */
  cutNetwork(ms: number): void {
    this.#offlineUntil = this.#now() + ms;
    this.#request?.abort(new Error('the network is cut'));
  }

  /** True while a cut from `cutNetwork` lasts: the widget refuses to send, too. */
  get networkCut(): boolean {
    return this.#now() < this.#offlineUntil;
  }

  // #region poll-loop
  async #loop(): Promise<void> {
    while (this.#running) {
      const delayMs = await this.#pollOnce();
      if (delayMs === undefined) continue; // success: poll again at once
      if (delayMs === null) return; // stopped, or a client error
      await new Promise<void>((resolve) => {
        this.#retryTimer = setTimeout(resolve, delayMs);
        this.#resumeEarly = resolve;
      });
      this.#resumeEarly = undefined;
    }
  }
  // #endregion poll-loop

  /** Ends the current backoff wait early (set only while waiting). */
  #resumeEarly: (() => void) | undefined;

  /** One request. Returns undefined to poll again at once, a delay to back off, null to end the loop. */
  async #pollOnce(): Promise<number | undefined | null> {
    const startedAt = this.#now();
    const initial = this.#cursor === undefined;
    const request = new AbortController();
    this.#request = request;
    this.#emit('state', this.#healthy ? { state: 'waiting' } : { state: 'connecting' });
    const url = `${this.#endpoint}?room=${encodeURIComponent(this.#room)}${this.#cursor === undefined ? '' : `&after=${this.#cursor}`}`;
    let response: Response;
    let answer: PollAnswer | undefined;
    try {
      if (this.#now() < this.#offlineUntil) throw new TypeError('the network is cut');
      response = await this.#fetch(url, { signal: request.signal, headers: this.#headers, cache: 'no-store' });
      if (response.ok) answer = (await response.json()) as PollAnswer;
    } catch (error) {
      this.#request = undefined;
      if (!this.#running) return this.#aborted(startedAt);
      if (this.#repolling) {
        this.#repolling = false;
        this.#aborted(startedAt);
        return undefined;
      }
      return this.#fail(startedAt, 'network-error', error instanceof Error ? error.message : String(error));
    }
    this.#request = undefined;
    if (!this.#running) return this.#aborted(startedAt);

    // #region classify
    if (answer) {
      this.#backoff.reset();
      this.#healthy = true;
      this.#emit('state', { state: 'open' });
      this.#deliver(answer);
      this.#emit('attempt', {
        startedAt,
        endedAt: this.#now(),
        outcome: answer.messages.length ? 'messages' : 'empty',
        status: response.status,
        initial,
        received: answer.messages.length,
        cursor: this.#cursor,
      });
      return undefined;
    }
    if (response.status === 429 || response.status === 503) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return this.#fail(startedAt, 'retry-after', `the server asked to wait (${response.status})`, response.status, retryAfterMs);
    }
    if (response.status >= 500) {
      return this.#fail(startedAt, 'server-error', `server error ${response.status}`, response.status);
    }
    // Any other status is a bug in this client or a refusal: retrying would not help.
    const error = await response.json().then((body: { error?: string }) => body.error ?? '', () => '');
    this.#record(startedAt, 'client-error', response.status);
    this.#emit('fatal', { status: response.status, error });
    this.stop(`the server refused the request (${response.status})`);
    return null;
    // #endregion classify
  }

  // #region deliver
  #deliver({ messages, cursor, gap }: PollAnswer): void {
    const shownUpTo = this.#cursor ?? 0;
    // A cursor that went backwards: the room was dropped on the server and started again at 1.
    const reset = cursor < shownUpTo;
    if (gap) this.#emit('gap', { cursor: shownUpTo });
    // Ids only grow: anything at or below the cursor has been shown already.
    const fresh = messages.filter((message) => reset || message.id > shownUpTo).sort((a, b) => a.id - b.id);
    this.#cursor = Math.max(reset ? 0 : shownUpTo, cursor, ...fresh.map((message) => message.id));
    if (fresh.length || reset) this.#emit('messages', { messages: fresh, reset });
  }
  // #endregion deliver

  #fail(startedAt: number, outcome: PollOutcome, reason: string, status?: number, atLeastMs = 0): number {
    this.#healthy = false;
    const delayMs = this.#backoff.next(atLeastMs);
    this.#record(startedAt, outcome, status, delayMs);
    this.#emit('state', { state: 'backing-off', until: this.#now() + delayMs, reason });
    return delayMs;
  }

  #aborted(startedAt: number): null {
    this.#record(startedAt, 'aborted');
    return null;
  }

  #record(startedAt: number, outcome: PollOutcome, status?: number, delayMs?: number): void {
    this.#emit('attempt', { startedAt, endedAt: this.#now(), outcome, status, delayMs });
  }

  #emit<K extends keyof LongPollEvents>(type: K, detail: LongPollEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** Retry-After in seconds (the only form this server sends) or as an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number {
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}
