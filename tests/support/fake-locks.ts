/**
 * A stand-in for the Web Locks API's `navigator.locks` (exclusive locks only): granted in order
 * of request, `ifAvailable` answered with `null` when taken, a queued request withdrawn by its
 * `signal` (rejecting with the signal's reason), released when the callback's promise settles.
 */
export function createFakeLocks() {
  const held = new Set<string>();
  const queues = new Map<string, Array<() => void>>();
  const grant = <T>(name: string, callback: (lock: Lock | null) => T | Promise<T>, resolve: (value: T) => void, reject: (error: unknown) => void) => {
    held.add(name);
    Promise.resolve(callback({ name, mode: 'exclusive' } as Lock)).then(resolve, reject).finally(() => {
      held.delete(name);
      queues.get(name)?.shift()?.();
    });
  };
  return {
    held,
    request<T>(name: string, options: LockOptions, callback: (lock: Lock | null) => T | Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (!held.has(name)) return grant(name, callback, resolve, reject);
        if (options.ifAvailable) return void Promise.resolve(callback(null)).then(resolve, reject);
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        const entry = () => grant(name, callback, resolve, reject);
        queue.push(entry);
        options.signal?.addEventListener(
          'abort',
          () => {
            const at = queue.indexOf(entry);
            if (at === -1) return;
            queue.splice(at, 1);
            reject(options.signal!.reason);
          },
          { once: true },
        );
      });
    },
  } as Pick<LockManager, 'request'> & { held: Set<string> };
}
