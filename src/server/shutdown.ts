/**
 * Graceful shutdown, seen from the features: one signal that every held request listens
 * to (a poll answers empty, a frame ends itself), and tasks to finish before the process
 * may exit (the chat log reaching the disk).
 */
export interface Shutdown {
  /** Aborted once shutdown begins. */
  readonly signal: AbortSignal;
  /** Registers work that must complete before exit. */
  beforeExit(task: () => Promise<void> | void): void;
  /** Begins shutdown and waits for every registered task; calling it again waits for the same run. */
  run(): Promise<void>;
}

// #region shutdown
export function createShutdown(): Shutdown {
  const controller = new AbortController();
  const tasks: Array<() => Promise<void> | void> = [];
  let running: Promise<void> | undefined;
  return {
    signal: controller.signal,
    beforeExit(task) {
      tasks.push(task);
    },
    run() {
      running ??= (async () => {
        controller.abort(new Error('the server is shutting down'));
        const results = await Promise.allSettled(tasks.map(async (task) => task()));
        for (const result of results) {
          if (result.status === 'rejected') console.error('A shutdown task failed:', result.reason);
        }
      })();
      return running;
    },
  };
}
// #endregion shutdown

/** Where the process's HTTP server (scripts/serve.mjs) finds the site's shutdown. */
export const SHUTDOWN_HOOK = Symbol.for('comet-lessons.shutdown');
