import { formatCursor, type Cursor } from './cursor.ts';

/**
 * Waiting requests, kept per room as nothing more than a stored `resolve`, the waiter's
 * cursor and its timer. The next message of a room settles all of its waiters at once; a
 * timer or the client's departure settles one. No loop checks for news: an idle waiter
 * costs nothing but memory, so each costs as little as it can (no closures of its own).
 */
export interface WaiterRegistry<T> {
  /** Resolves with what `notify` answers for `after`, or with `quiet(outcome, after)` on timeout or abort. */
  waitForNews(room: string, after: Cursor, options: { timeoutMs: number; signal?: AbortSignal }): Promise<T>;
  /**
   * Settles every waiter of `room` with `answerFor(after)`; returns how many there were.
   * The answer is computed once per cursor and shared by every waiter at that cursor.
   */
  notify(room: string, answerFor: (after: Cursor) => T): number;
  /** Whether anyone is waiting in `room`. */
  has(room: string): boolean;
  readonly size: number;
}

export interface WaiterRegistryOptions<T> {
  /** The answer for a waiter that ends without news. */
  quiet(outcome: 'timeout' | 'aborted', after: Cursor): T;
  /**
   * Aborted when the server shuts down: every waiter settles 'aborted' (its client re-polls
   * later from its cursor) and new ones settle at once. One listener for all waiters;
   * `AbortSignal.any` per request would keep each request's signal alive as long as this one.
   */
  endSignal?: AbortSignal;
}

export function createWaiterRegistry<T>({ quiet, endSignal }: WaiterRegistryOptions<T>): WaiterRegistry<T> {
  const byRoom = new Map<string, Set<Waiter>>();
  let size = 0;

  // #region waiter
  // News, the timeout and the client leaving all race to here; only the first counts.
  const settle = (waiter: Waiter, answer: T) => {
    const waiters = byRoom.get(waiter.room);
    if (!waiters?.delete(waiter)) return; // settled already
    size -= 1;
    if (waiters.size === 0) byRoom.delete(waiter.room);
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener('abort', waiter);
    waiter.resolve(answer);
  };
  const timeOut = (waiter: Waiter) => settle(waiter, quiet('timeout', waiter.after));

  /** One waiting request. It is its own abort listener, so it needs no closure. */
  class Waiter {
    timer?: ReturnType<typeof setTimeout>;
    constructor(
      readonly room: string,
      readonly after: Cursor,
      readonly resolve: (answer: T) => void,
      readonly signal: AbortSignal | undefined,
    ) {}
    /** The client left: its request's signal aborted. */
    handleEvent() {
      settle(this, quiet('aborted', this.after));
    }
  }

  endSignal?.addEventListener(
    'abort',
    () => {
      for (const waiters of [...byRoom.values()]) for (const waiter of waiters) settle(waiter, quiet('aborted', waiter.after));
    },
    { once: true },
  );

  return {
    waitForNews(room, after, { timeoutMs, signal }) {
      return new Promise<T>((resolve) => {
        if (signal?.aborted || endSignal?.aborted) return resolve(quiet('aborted', after));
        const waiter = new Waiter(room, after, resolve, signal);
        waiter.timer = setTimeout(timeOut, timeoutMs, waiter);
        signal?.addEventListener('abort', waiter, { once: true });
        let waiters = byRoom.get(room);
        if (!waiters) byRoom.set(room, (waiters = new Set()));
        waiters.add(waiter);
        size += 1;
      });
    },

    notify(room, answerFor) {
      const waiters = byRoom.get(room);
      if (!waiters) return 0;
      const count = waiters.size;
      const answers = new Map<string, T>(); // by cursor: one answer (and one JSON body) per cursor
      // Each settle removes its waiter (and the room's set once empty); a Set allows that mid-loop.
      for (const waiter of waiters) {
        const cursor = formatCursor(waiter.after);
        let answer = answers.get(cursor);
        if (answer === undefined) answers.set(cursor, (answer = answerFor(waiter.after)));
        settle(waiter, answer);
      }
      return count;
    },
    // #endregion waiter

    has(room) {
      return byRoom.has(room);
    },
    get size() {
      return size;
    },
  };
}
