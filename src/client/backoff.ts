/**
 * How long to wait before the next reconnection attempt: exponential, with random
 * jitter so that clients dropped together do not come back together, capped, and reset
 * by the first success.
 */
import { clampNetworkDelayMs } from './network-delay.ts';

// #region backoff
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  #random: () => number;
  #failures = 0;

  constructor({ initialMs = 1_000, maxMs = 30_000, random = Math.random }: BackoffOptions = {}) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.#random = random;
  }

  /** The delay before the next attempt, at least `atLeastMs` (a server's Retry-After, clamped to 5 minutes first). */
  next(atLeastMs = 0): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** this.#failures);
    this.#failures += 1;
    // "Equal jitter": half the ceiling for sure, the other half at random.
    const delay = ceiling / 2 + this.#random() * (ceiling / 2);
    return Math.round(Math.max(delay, clampNetworkDelayMs(atLeastMs)));
  }

  reset(): void {
    this.#failures = 0;
  }

  get failures(): number {
    return this.#failures;
  }
}
// #endregion backoff
