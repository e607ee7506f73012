/**
 * Classic polling, as a 2007 page would do it with XMLHttpRequest: ask for the counter
 * every N seconds whether or not anything changed. Also counts the bytes each answer
 * cost, headers included, from the browser's Resource Timing entries.
 */
import { PollTracker, type CounterReading, type PollOutcome } from './poll-tracker.ts';

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
      if (!response.ok) throw new Error(`${response.status}: ${(await response.json()).error ?? 'error'}`);
      const reading = (await response.json()) as CounterReading;
      const outcome = this.tracker.record(reading, sentAt, performance.now());
      this.#emit('poll', { outcome, reading });
    } catch (error) {
      if (!this.#running) return;
      this.tracker.recordFailure();
      this.#emit('failure', { message: error instanceof Error ? error.message : String(error) });
    }
    if (!this.#running) return;
    // Ask again one interval after the last question, whether or not anything changed.
    const elapsed = performance.now() - sentAt;
    this.#timer = setTimeout(() => this.#poll(), Math.max(0, this.#intervalMs - elapsed));
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
