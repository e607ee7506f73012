import type { TabChannel } from '../../src/client/tabs/tab-channel.ts';

/** Channels of one fake browser: what one tab posts reaches every tab (itself included), a microtask later. */
export function createChannelHub<T>() {
  const listeners = new Set<(message: T) => void>();
  return {
    open(): TabChannel<T> {
      const mine = new Set<(message: T) => void>();
      let closed = false;
      return {
        shared: true,
        post(message) {
          if (closed) return;
          const copy = structuredClone(message);
          for (const listener of listeners) queueMicrotask(() => listener(copy));
        },
        listen(listener) {
          const wrapped = (message: T) => {
            if (!closed) listener(message);
          };
          mine.add(wrapped);
          listeners.add(wrapped);
          return () => listeners.delete(wrapped);
        },
        close() {
          closed = true;
          for (const listener of mine) listeners.delete(listener);
        },
      };
    },
  };
}

/** A LockManager of one fake browser: one holder per name, the next waiter gets it when the holder's promise settles. */
export function createFakeLocks(): LockManager {
  const holders = new Map<string, boolean>();
  const queues = new Map<string, Array<() => void>>();
  const grantNext = (name: string) => {
    const next = queues.get(name)?.shift();
    if (next) next();
    else holders.delete(name);
  };
  const request = (name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      const grant = () => {
        holders.set(name, true);
        Promise.resolve()
          .then(() => callback({ name, mode: 'exclusive' } as Lock))
          .then(resolve, reject)
          .finally(() => grantNext(name));
      };
      if (!holders.get(name)) {
        holders.set(name, true);
        return queueMicrotask(grant); // granted asynchronously, as in browsers
      }
      const queue = queues.get(name) ?? [];
      queues.set(name, queue);
      queue.push(grant);
      options.signal?.addEventListener('abort', () => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        reject(options.signal!.reason);
      });
    });
  return { request, query: async () => ({ held: [], pending: [] }) } as unknown as LockManager;
}
