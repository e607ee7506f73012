/**
 * The long poll that carries the chat: ONE held request for every room this browser follows
 * (`GET /api/chat/poll?follow=ROOM@CURSOR&follow=ROOM2…`). Each room keeps its own opaque
 * cursor, sent back verbatim, so after any interruption the poll asks for exactly what was
 * missed. Failures back off with jitter; the server's Retry-After is honoured (clamped to
 * {@link MAX_NETWORK_DELAY_MS}); a malformed answer is retried like a server error; a request
 * the server's promised timeout should have ended is abandoned (see `poll-deadline.ts`);
 * a client mistake (4xx) is reported, never retried. Which rooms, and what the tabs show,
 * is decided elsewhere (`chat/chat-tabs.ts`, `chat/room-view.ts`).
 */
import type { ChatMessage } from '../../server/chat/chat-message.ts';
import { Backoff } from '../backoff.ts';
import { MalformedAnswerError, readMultiRoomAnswer, type RoomAnswer } from '../malformed-answer.ts';
import { MAX_NETWORK_DELAY_MS, parseRetryAfter } from '../network-delay.ts';
import { POLL_DEADLINE_MARGIN_MS, pollDeadlineMs, readPollTimeoutMs } from './poll-deadline.ts';

export type { ChatMessage, RoomAnswer };
export { parseRetryAfter };

/** Up to this many rooms ride on one poll (the server's limit). */
export const MAX_ROOMS_PER_POLL = 16;

export type LongPollState =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'waiting' }
  | { state: 'backing-off'; until: number; reason: string }
  | { state: 'stopped'; reason: string };

export type PollOutcome =
  | 'messages'
  | 'empty'
  | 'network-error'
  | 'server-error'
  | 'retry-after'
  | 'client-error'
  | 'aborted';

export interface PollAttempt {
  startedAt: number;
  endedAt: number;
  outcome: PollOutcome;
  status?: number;
  /** For an answer: whether it was an initial load (a room without cursor), how many messages it carried. */
  initial?: boolean;
  received?: number;
  /** Why it failed, for the wire log (a deadline passed, a malformed answer, …). */
  reason?: string;
  /** The delay chosen before the next attempt, if any. */
  delayMs?: number;
}

export interface LongPollEvents {
  state: LongPollState;
  /** One room's part of an answer, already shape-checked. */
  answer: { room: string; answer: RoomAnswer };
  attempt: PollAttempt;
  fatal: { status: number; error: string };
  /** Whether a request is in flight right now (for the count of held connections). */
  held: boolean;
}

export interface LongPollClientOptions {
  endpoint?: string;
  fetch?: typeof fetch;
  backoff?: Backoff;
  /** Extra request headers. */
  headers?: Record<string, string>;
  now?: () => number;
  /** Asked of the server as `timeout=`; the server's own default when absent. */
  timeoutMs?: number;
  /** How long past the server's promised timeout a request may take (tests shorten it). */
  deadlineMarginMs?: number;
}

export class LongPollClient extends EventTarget {
  #endpoint: string;
  #fetch: typeof fetch;
  #backoff: Backoff;
  #headers: Record<string, string>;
  #now: () => number;
  #timeoutMs: number | undefined;
  #deadlineMarginMs: number;
  /** Room → cursor of the last answer (`undefined`: initial load next). */
  #rooms = new Map<string, string | undefined>();
  /** What the server last said its poll timeout is. */
  #serverTimeoutMs: number | undefined;
  #running = false;
  #request: AbortController | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #healthy = false;
  #repolling = false;
  #state: LongPollState = { state: 'stopped', reason: 'not started' };
  /** Ends the current wait (a backoff, or idling with no room) early; set only while waiting. */
  #resumeEarly: (() => void) | undefined;

  constructor({ endpoint = '/api/chat/poll', fetch: fetcher, backoff = new Backoff(), headers = {}, now = Date.now, timeoutMs, deadlineMarginMs = POLL_DEADLINE_MARGIN_MS }: LongPollClientOptions = {}) {
    super();
    this.#endpoint = endpoint;
    this.#fetch = fetcher ?? ((input, init) => globalThis.fetch(input, init));
    this.#backoff = backoff;
    this.#headers = headers;
    this.#now = now;
    this.#timeoutMs = timeoutMs;
    this.#deadlineMarginMs = deadlineMarginMs;
  }

  get running(): boolean {
    return this.#running;
  }

  /** The state last announced. */
  get state(): LongPollState {
    return this.#state;
  }

  get rooms(): string[] {
    return [...this.#rooms.keys()];
  }

  cursorOf(room: string): string | undefined {
    return this.#rooms.get(room);
  }

  /**
   * Adds a room to the poll, from `cursor` (or an initial load); a room already followed keeps
   * its own cursor. The poll in flight is restarted so the room rides on the next one.
   * @throws RangeError past {@link MAX_ROOMS_PER_POLL} rooms.
   */
  follow(room: string, cursor?: string): void {
    if (this.#rooms.has(room)) return;
    if (this.#rooms.size >= MAX_ROOMS_PER_POLL) throw new RangeError(`one poll follows at most ${MAX_ROOMS_PER_POLL} rooms`);
    this.#rooms.set(room, cursor);
    this.repoll();
  }

  /** Drops a room from the poll (the poll in flight is restarted without it; nothing is counted as a failure). */
  unfollow(room: string): void {
    if (this.#rooms.delete(room)) this.repoll();
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
    this.#resumeEarly?.(); // a loop waiting sees `running` is false and ends
    this.#request?.abort();
    this.#emit('state', { state: 'stopped', reason });
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

  // #region poll-loop
  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.#rooms.size === 0) {
        await this.#wait(); // nothing to follow: no request at all until a room is added
        continue;
      }
      const delayMs = await this.#pollOnce();
      if (delayMs === undefined) continue; // success: poll again at once
      if (delayMs === null) return; // stopped, or a client error
      await this.#wait(delayMs);
    }
  }
  // #endregion poll-loop

  #wait(delayMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resumeEarly = () => {
        this.#resumeEarly = undefined;
        resolve();
      };
      if (delayMs !== undefined) this.#retryTimer = setTimeout(this.#resumeEarly, Math.min(delayMs, MAX_NETWORK_DELAY_MS));
    });
  }

  #url(): string {
    const query = new URLSearchParams();
    for (const [room, cursor] of this.#rooms) query.append('follow', cursor === undefined ? room : `${room}@${cursor}`);
    if (this.#timeoutMs !== undefined) query.set('timeout', String(this.#timeoutMs));
    return `${this.#endpoint}?${query}`;
  }

  /** One request. Returns undefined to poll again at once, a delay to back off, null to end the loop. */
  async #pollOnce(): Promise<number | undefined | null> {
    const startedAt = this.#now();
    const initial = [...this.#rooms.values()].some((cursor) => cursor === undefined);
    const request = new AbortController();
    this.#request = request;
    this.#emit('state', this.#healthy ? { state: 'waiting' } : { state: 'connecting' });
    this.#emit('held', true);
    // The deadline: from the server's promised timeout once known, re-armed when this answer's headers say it.
    let deadline = setTimeout(() => request.abort(new DeadlineError()), pollDeadlineMs(this.#serverTimeoutMs, this.#deadlineMarginMs));
    let response: Response;
    let answers: Map<string, RoomAnswer> | undefined;
    try {
      response = await this.#fetch(this.#url(), { signal: request.signal, headers: this.#headers, cache: 'no-store' });
      const promisedMs = readPollTimeoutMs(response.headers);
      if (promisedMs !== undefined) {
        this.#serverTimeoutMs = promisedMs;
        clearTimeout(deadline);
        const leftMs = Math.max(0, pollDeadlineMs(promisedMs, this.#deadlineMarginMs) - (this.#now() - startedAt));
        deadline = setTimeout(() => request.abort(new DeadlineError()), leftMs);
      }
      if (response.ok) answers = readMultiRoomAnswer(await response.json().catch(() => undefined));
    } catch (error) {
      clearTimeout(deadline);
      this.#request = undefined;
      this.#emit('held', false);
      if (!this.#running) return this.#aborted(startedAt);
      if (this.#repolling) {
        this.#repolling = false;
        this.#aborted(startedAt);
        return undefined;
      }
      const reason = request.signal.reason instanceof DeadlineError ? request.signal.reason : error;
      // A silent connection counts as a network error, a malformed answer as a server error: both are retried.
      if (reason instanceof MalformedAnswerError) return this.#fail(startedAt, 'server-error', reason.message, 200);
      return this.#fail(startedAt, 'network-error', reason instanceof Error ? reason.message : String(reason));
    }
    clearTimeout(deadline);
    this.#request = undefined;
    this.#emit('held', false);
    if (!this.#running) return this.#aborted(startedAt);
    if (this.#repolling) {
      this.#repolling = false; // the answer still counts: it is applied below
    }

    // #region classify
    if (answers) {
      this.#backoff.reset();
      this.#healthy = true;
      this.#emit('state', { state: 'open' });
      let received = 0;
      for (const [room, answer] of answers) {
        if (!this.#rooms.has(room)) continue; // unfollowed while the answer travelled
        this.#rooms.set(room, answer.cursor);
        received += answer.messages.length;
        this.#emit('answer', { room, answer });
      }
      this.#emit('attempt', { startedAt, endedAt: this.#now(), outcome: received ? 'messages' : 'empty', status: response.status, initial, received });
      return undefined;
    }
    if (response.status === 429 || response.status === 503) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#now());
      return this.#fail(startedAt, 'retry-after', `the server asked to wait (${response.status})`, response.status, retryAfterMs);
    }
    if (response.status === 408 || response.status >= 500) {
      // 408: the server gave up waiting for the request; sending it again is the fix (RFC 9110 §15.5.9).
      return this.#fail(startedAt, 'server-error', `server error ${response.status}`, response.status);
    }
    // Any other status is a bug in this client or a refusal: retrying would not help.
    const error = await response.json().then((body: { error?: unknown }) => (typeof body?.error === 'string' ? body.error : ''), () => '');
    this.#record(startedAt, 'client-error', response.status, undefined, error);
    this.#emit('fatal', { status: response.status, error });
    this.stop(`the server refused the request (${response.status})`);
    return null;
    // #endregion classify
  }

  #fail(startedAt: number, outcome: PollOutcome, reason: string, status?: number, atLeastMs = 0): number {
    this.#healthy = false;
    const delayMs = Math.min(this.#backoff.next(atLeastMs), MAX_NETWORK_DELAY_MS);
    this.#record(startedAt, outcome, status, delayMs, reason);
    this.#emit('state', { state: 'backing-off', until: this.#now() + delayMs, reason });
    return delayMs;
  }

  #aborted(startedAt: number): null {
    this.#record(startedAt, 'aborted');
    return null;
  }

  #record(startedAt: number, outcome: PollOutcome, status?: number, delayMs?: number, reason?: string): void {
    this.#emit('attempt', { startedAt, endedAt: this.#now(), outcome, status, delayMs, reason });
  }

  #emit<K extends keyof LongPollEvents>(type: K, detail: LongPollEvents[K]): void {
    if (type === 'state') this.#state = detail as LongPollState;
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** The reason a request was abandoned: it outlived the server's promised timeout plus the margin. */
export class DeadlineError extends Error {
  constructor() {
    super('no answer within the server’s poll timeout plus the margin: connection abandoned');
    this.name = 'DeadlineError';
  }
}
