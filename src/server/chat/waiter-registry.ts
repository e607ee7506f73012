import type { WaitOutcome } from './message-store.ts';

/**
 * Waiting requests, kept per room as nothing more than a stored `settle` function. The
 * next message of a room settles all of its waiters at once; a timer or the client's
 * departure settles one. No loop checks for news: an idle waiter costs nothing but memory.
 */
export interface WaiterRegistry {
  waitForNews(room: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<WaitOutcome>;
  /** Settles every waiter of `room` with 'message'; returns how many there were. */
  notify(room: string): number;
  /** Whether anyone is waiting in `room`. */
  has(room: string): boolean;
  readonly size: number;
}

type Settle = (outcome: WaitOutcome) => void;

export interface WaiterRegistryOptions {
  /**
   * Aborted when the server shuts down: every waiter settles 'aborted' (its client re-polls
   * later from its cursor) and new ones settle at once. One listener for all waiters;
   * `AbortSignal.any` per request would keep each request's signal alive as long as this one.
   */
  endSignal?: AbortSignal;
}

export function createWaiterRegistry({ endSignal }: WaiterRegistryOptions = {}): WaiterRegistry {
  const byRoom = new Map<string, Set<Settle>>();
  let size = 0;
  endSignal?.addEventListener(
    'abort',
    () => {
      for (const waiters of [...byRoom.values()]) for (const settle of waiters) settle('aborted');
    },
    { once: true },
  );

  return {
    // #region waiter
    waitForNews(room, { timeoutMs, signal }) {
      return new Promise<WaitOutcome>((resolve) => {
        if (signal?.aborted || endSignal?.aborted) return resolve('aborted');
        let timer: ReturnType<typeof setTimeout> | undefined;
        let settled = false;
        // News, the timeout and the client leaving all race to here; only the first counts.
        const settle: Settle = (outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const waiters = byRoom.get(room);
          if (waiters?.delete(settle)) {
            size -= 1;
            if (waiters.size === 0) byRoom.delete(room);
          }
          resolve(outcome);
        };
        const onAbort = () => settle('aborted');

        timer = setTimeout(settle, timeoutMs, 'timeout');
        signal?.addEventListener('abort', onAbort, { once: true });
        let waiters = byRoom.get(room);
        if (!waiters) byRoom.set(room, (waiters = new Set()));
        waiters.add(settle);
        size += 1;
      });
    },

    notify(room) {
      const waiters = byRoom.get(room);
      if (!waiters) return 0;
      const count = waiters.size;
      // Each settle removes itself (and the room's set once empty); a Set allows that mid-loop.
      for (const settle of waiters) settle('message');
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
