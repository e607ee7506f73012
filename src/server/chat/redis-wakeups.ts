import type { Cursor } from './cursor.ts';
import { formatCursor } from './cursor.ts';
import type { ReadResult, WaitOutcome, WaitResult } from './message-store.ts';

/**
 * The waiting requests of one process on a shared store. Redis tells every process which
 * room has news (one subscription per process, not one per request); this registry then reads
 * that room once per distinct cursor and settles the waiters that have news. A notification
 * that never arrives delays a message until the waiter's timeout, after which the client polls
 * again from its cursor: it is late, never lost.
 */
export interface RedisWakeups {
  /**
   * Registers a waiter, then reads once (so a message stored between the two is not missed):
   * resolves with news, or `quiet` at timeout, abort, or release.
   */
  wait(room: string, after: Cursor, options: { timeoutMs: number; signal?: AbortSignal }): Promise<WaitResult>;
  /** A room has news (from the subscription): re-read it for its waiters. */
  wake(room: string): void;
  /** The subscription came back after a cut: any room may have news it missed. */
  wakeAll(): void;
  /** Settles every waiter at once with an empty answer (the store became unavailable, or it closes). */
  releaseAll(outcome: 'timeout' | 'aborted'): void;
  readonly size: number;
}

type Read = (room: string, after: Cursor) => Promise<ReadResult>;

const hasNews = (result: ReadResult) => result.messages.length > 0 || result.gap || result.reset;

class Waiter {
  timer?: ReturnType<typeof setTimeout>;
  constructor(
    readonly room: string,
    readonly after: Cursor,
    readonly resolve: (result: WaitResult) => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
    readonly registry: { settle(waiter: Waiter, result: WaitResult | Error): void },
  ) {}
  /** The client left. */
  handleEvent() {
    this.registry.settle(this, quietAnswer(this.after, 'aborted'));
  }
}

function quietAnswer(after: Cursor, outcome: WaitOutcome): WaitResult {
  return { messages: [], cursor: formatCursor(after), gap: false, reset: false, outcome };
}

export function createRedisWakeups(read: Read): RedisWakeups {
  const byRoom = new Map<string, Set<Waiter>>();
  /** Rooms being re-read now, and whether another notification came meanwhile. */
  const refreshing = new Map<string, boolean>();
  let size = 0;

  const registry = {
    settle(waiter: Waiter, result: WaitResult | Error) {
      const waiters = byRoom.get(waiter.room);
      if (!waiters?.delete(waiter)) return; // settled already
      size -= 1;
      if (waiters.size === 0) byRoom.delete(waiter.room);
      clearTimeout(waiter.timer);
      waiter.signal?.removeEventListener('abort', waiter);
      if (result instanceof Error) waiter.reject(result);
      else waiter.resolve(result);
    },
  };
  const timeOut = (waiter: Waiter) => registry.settle(waiter, quietAnswer(waiter.after, 'timeout'));

  // #region fan-out
  const refresh = async (room: string) => {
    if (refreshing.has(room)) return void refreshing.set(room, true); // read again when this one ends
    refreshing.set(room, false);
    try {
      do {
        refreshing.set(room, false);
        const waiters = byRoom.get(room);
        if (!waiters) break;
        const groups = new Map<string, Waiter[]>(); // one read per cursor, shared by its waiters
        for (const waiter of waiters) {
          const key = formatCursor(waiter.after);
          const group = groups.get(key);
          if (group) group.push(waiter);
          else groups.set(key, [waiter]);
        }
        await Promise.all(
          [...groups.values()].map(async (group) => {
            let answer: WaitResult;
            try {
              const result = await read(room, group[0]!.after);
              if (!hasNews(result)) return;
              answer = { ...result, outcome: 'message' };
            } catch {
              // The store failed: release them; their next poll meets the 503 and its Retry-After.
              for (const waiter of group) registry.settle(waiter, quietAnswer(waiter.after, 'timeout'));
              return;
            }
            for (const waiter of group) registry.settle(waiter, answer);
          }),
        );
      } while (refreshing.get(room));
    } finally {
      refreshing.delete(room);
    }
  };
  // #endregion fan-out

  return {
    wait(room, after, { timeoutMs, signal }) {
      return new Promise<WaitResult>((resolve, reject) => {
        if (signal?.aborted) return resolve(quietAnswer(after, 'aborted'));
        const waiter = new Waiter(room, after, resolve, reject, signal, registry);
        let waiters = byRoom.get(room);
        if (!waiters) byRoom.set(room, (waiters = new Set()));
        waiters.add(waiter);
        size += 1;
        waiter.timer = setTimeout(timeOut, timeoutMs, waiter);
        signal?.addEventListener('abort', waiter, { once: true });
        // Registered first, read second: a message stored in between also wakes this room.
        read(room, after).then(
          (result) => {
            if (hasNews(result)) registry.settle(waiter, { ...result, outcome: 'message' });
            else if (timeoutMs === 0) registry.settle(waiter, { ...result, outcome: 'timeout' });
          },
          (error: unknown) => registry.settle(waiter, error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
    wake(room) {
      if (byRoom.has(room)) void refresh(room);
    },
    wakeAll() {
      for (const room of byRoom.keys()) void refresh(room);
    },
    releaseAll(outcome) {
      for (const waiters of [...byRoom.values()]) {
        for (const waiter of [...waiters]) registry.settle(waiter, quietAnswer(waiter.after, outcome));
      }
    },
    get size() {
      return size;
    },
  };
}
