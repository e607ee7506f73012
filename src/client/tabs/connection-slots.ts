/**
 * A budget of held connections shared by every tab of this browser: a counting semaphore built
 * on Web Locks (W3C Web Locks API). Widgets that need a connection of their own (a forever frame,
 * an event stream) take a slot before they connect and give it back when they let go, so that
 * however many tabs show such a widget at once (side-by-side windows keep them all visible), the
 * site never holds more than {@link HELD_CONNECTIONS_TARGET} of the browser's six connections per
 * host (RFC 6202 §5.1): one for the tabs' shared chat poll, the rest for these widgets.
 * A lock is released by the browser when its tab closes or crashes, so a slot is never lost.
 * Without Web Locks (not a secure context, e.g. plain HTTP on a LAN address) there is no budget.
 */
import { HELD_CONNECTIONS_TARGET } from './held-connections.ts';

/** Slots for widgets' own connections: the budget less the one the tabs' shared chat poll takes. */
export const WIDGET_CONNECTION_SLOTS = HELD_CONNECTIONS_TARGET - 1;
const SLOT_LOCK_PREFIX = 'comet-lessons.connection-slot-';

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

export interface ConnectionSlots {
  /**
   * Resolves with a slot's release once one is free (at once when one is), or rejects with an
   * `AbortError` when `signal` aborts first. `onQueued` is called when every slot was taken and
   * the request waits for one.
   */
  acquire(signal: AbortSignal, onQueued?: () => void): Promise<ReleaseSlot>;
}

type Locks = Pick<LockManager, 'request'>;

/** For widgets that hold no connection while on screen (a panel that asks /api/stats now and then): no budget. */
export const NO_CONNECTION_SLOTS: ConnectionSlots = { acquire: async () => () => {} };

/** @param locks the browser's `navigator.locks`; `null` (or missing) where the API is missing: no budget then */
export function createConnectionSlots({
  count = WIDGET_CONNECTION_SLOTS,
  locks = typeof navigator === 'undefined' ? undefined : (navigator.locks as Locks | undefined),
}: { count?: number; locks?: Locks | null } = {}): ConnectionSlots {
  return {
    async acquire(signal, onQueued) {
      if (!locks) return () => {};
      for (let slot = 0; slot < count; slot += 1) {
        const release = await holdLock(locks, `${SLOT_LOCK_PREFIX}${slot}`, { ifAvailable: true });
        if (release) return release;
      }
      // Every slot is taken: queue for all of them; the first one given back wins, the other requests are withdrawn.
      if (signal.aborted) throw signal.reason;
      onQueued?.();
      return queueForAny(locks, count, signal);
    },
  };
}

function queueForAny(locks: Locks, count: number, signal: AbortSignal): Promise<ReleaseSlot> {
  const withdraw = new AbortController();
  const onAbort = () => withdraw.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return new Promise((resolve, reject) => {
    let won = false;
    let pending = count;
    for (let slot = 0; slot < count; slot += 1) {
      holdLock(locks, `${SLOT_LOCK_PREFIX}${slot}`, { signal: withdraw.signal }).then(
        (release) => {
          if (won) return release!(); // granted together with another: give this one straight back
          won = true;
          signal.removeEventListener('abort', onAbort);
          withdraw.abort();
          resolve(release!);
        },
        (error: unknown) => {
          pending -= 1;
          if (pending === 0 && !won) reject(error);
        },
      );
    }
  });
}

/** Requests a lock and keeps it until the returned function is called; `undefined` when `ifAvailable` found it taken. */
function holdLock(locks: Locks, name: string, options: LockOptions): Promise<ReleaseSlot | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, options, (lock) => {
        if (!lock) return resolve(undefined);
        return new Promise<void>((release) => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            release();
          });
        });
      })
      .catch(reject);
  });
}
