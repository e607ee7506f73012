/**
 * A number that the server bumps at random moments, for the polling lesson: the page
 * cannot know when it will change, so it has to keep asking.
 */
export const CHANGE_MIN_DELAY_MS = 2_000;
export const CHANGE_MAX_DELAY_MS = 8_000;
/** With nobody reading for this long the counter stops; the next read wakes it up. */
export const IDLE_AFTER_MS = 60_000;

export interface CounterReading {
  value: number;
  /** When the value last changed, in ms since the epoch (server clock). */
  changedAt: number;
}

export interface ChangingCounterOptions {
  /** A number in [0, 1); picks each delay between changes. */
  random?: () => number;
  now?: () => number;
  idleAfterMs?: number;
}

export interface ChangingCounter {
  read(): CounterReading;
  /** Whether a change is scheduled (false while nobody is reading). */
  readonly running: boolean;
  stop(): void;
}

export function createChangingCounter({
  random = Math.random,
  now = Date.now,
  idleAfterMs = IDLE_AFTER_MS,
}: ChangingCounterOptions = {}): ChangingCounter {
  let value = 0;
  let changedAt = now();
  let lastReadAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // #region change-at-random
  const scheduleNextChange = () => {
    const delayMs = Math.round(CHANGE_MIN_DELAY_MS + random() * (CHANGE_MAX_DELAY_MS - CHANGE_MIN_DELAY_MS));
    timer = setTimeout(change, delayMs);
    timer.unref(); // a demo counter must never keep the process alive
  };

  const change = () => {
    timer = undefined;
    value += 1;
    changedAt = now();
    // One timer at most, and none at all once the page that was asking has gone.
    if (now() - lastReadAt < idleAfterMs) scheduleNextChange();
  };
  // #endregion change-at-random

  return {
    read() {
      lastReadAt = now();
      if (timer === undefined) scheduleNextChange();
      return { value, changedAt };
    },
    get running() {
      return timer !== undefined;
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
