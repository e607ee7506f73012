/**
 * Classic polling, as a 2007 page would do it with XMLHttpRequest: ask for the counter
 * every N seconds whether or not anything changed. Also counts the bytes each answer
 * cost, headers included, from the browser's Resource Timing entries.
 */
import { Backoff } from '../backoff.ts';
import { MalformedAnswerError } from '../malformed-answer.ts';
import { parseRetryAfter } from '../network-delay.ts';
import { PollTracker, type CounterReading, type PollOutcome } from './poll-tracker.ts';

/**
 * Checks a counter answer: `value`, `changedAt` and `serverTime` are finite numbers.
 * @throws MalformedAnswerError otherwise (a failure like any other: counted, backed off, retried).
 */
export function readCounterReading(value: unknown): CounterReading {
  const reading = value as Partial<CounterReading> | null;
  if (typeof reading !== 'object' || reading === null) throw new MalformedAnswerError('the counter answer is not an object');
  for (const key of ['value', 'changedAt', 'serverTime'] as const) {
    if (typeof reading[key] !== 'number' || !Number.isFinite(reading[key])) throw new MalformedAnswerError(`"${key}" is not a number`);
  }
  return { value: reading.value!, changedAt: reading.changedAt!, serverTime: reading.serverTime! };
}

export interface PollerEvents {
  poll: { outcome: PollOutcome; reading: CounterReading };
  bytes: { total: number };
  failure: { message: string };
}

export const MIN_INTERVAL_MS = 500;
export const MAX_INTERVAL_MS = 10_000;

export class CounterPoller extends EventTarget {
  tracker = new PollTracker();
  bytes = 0;
  #url: string;
  #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #controller: AbortController | undefined;
  #running = false;
  #observer: PerformanceObserver | undefined;
  /** After a failure the next question waits at least this backoff (and the server's Retry-After). */
  #backoff = new Backoff();
  #failureDelayMs = 0;

  constructor({ url = '/api/polling/counter', intervalMs = 2_000 } = {}) {
    super();
    this.#url = url;
    this.#intervalMs = intervalMs;
  }

  get running(): boolean {
    return this.#running;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** A new interval starts the figures afresh, so each setting is measured on its own. */
  setInterval(intervalMs: number): void {
    this.#intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, intervalMs));
    this.reset();
    if (this.#running) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#poll(), this.#intervalMs);
    }
  }

  reset(): void {
    this.tracker = new PollTracker();
    this.bytes = 0;
    this.#emit('bytes', { total: 0 });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#observeBytes();
    void this.#poll();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#controller?.abort();
    this.#observer?.disconnect();
    this.#observer = undefined;
  }

  // #region poll
  async #poll(): Promise<void> {
    const sentAt = performance.now();
    this.#controller = new AbortController();
    try {
      const response = await fetch(this.#url, { cache: 'no-store', signal: this.#controller.signal });
      if (!response.ok) {
        const reason = await response.json().then((body: { error?: unknown }) => body?.error, () => undefined);
        this.#failureDelayMs = this.#backoff.next(parseRetryAfter(response.headers.get('retry-after')));
        throw new Error(`${response.status}: ${typeof reason === 'string' ? reason : 'error'}`);
      }
      const reading = readCounterReading(await response.json().catch(() => undefined));
      const outcome = this.tracker.record(reading, sentAt, performance.now());
      this.#backoff.reset();
      this.#failureDelayMs = 0;
      this.#emit('poll', { outcome, reading });
    } catch (error) {
      if (!this.#running) return;
      if (!this.#failureDelayMs) this.#failureDelayMs = this.#backoff.next();
      this.tracker.recordFailure();
      const retry = `; next try in ${(Math.max(this.#intervalMs, this.#failureDelayMs) / 1000).toFixed(1)} s`;
      this.#emit('failure', { message: `${error instanceof Error ? error.message : String(error)}${retry}` });
    }
    if (!this.#running) return;
    // Ask again one interval after the last question, whether or not anything changed (longer after a failure).
    const elapsed = performance.now() - sentAt;
    const delayMs = Math.max(this.#intervalMs, this.#failureDelayMs) - elapsed;
    this.#failureDelayMs = 0;
    this.#timer = setTimeout(() => this.#poll(), Math.max(0, delayMs));
  }
  // #endregion poll

  #observeBytes(): void {
    if (typeof PerformanceObserver === 'undefined') return;
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
        if (new URL(entry.name).pathname !== this.#url) continue;
        // transferSize counts headers too; a browser that hides it still tells the body size.
        this.bytes += entry.transferSize || entry.encodedBodySize;
      }
      this.#emit('bytes', { total: this.bytes });
    });
    this.#observer.observe({ type: 'resource' });
  }

  #emit<K extends keyof PollerEvents>(type: K, detail: PollerEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
