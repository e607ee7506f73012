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

/** How long a graceful stop may take before the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 5_000;

/** What `stopGracefully` needs of Node's HTTP server. */
export interface ClosableServer {
  close(callback: () => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * Graceful stop of the whole process on SIGTERM/SIGINT: stop accepting, let the site answer
 * what it holds (polls end empty, clock frames end with a recycle, the chat log reaches the
 * disk), close idle keep-alive connections, then the rest after `lingerMs`. Resolves `true`
 * when everything finished within `deadlineMs`, `false` when the deadline passed first.
 */
export async function stopGracefully(
  server: ClosableServer,
  shutdown: Shutdown,
  { deadlineMs = SHUTDOWN_DEADLINE_MS, lingerMs = 500 } = {},
): Promise<boolean> {
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    deadline = setTimeout(() => resolve(false), deadlineMs);
  });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const stopped = (async () => {
    await shutdown.run();
    server.closeIdleConnections();
    // Responses that just ended leave keep-alive sockets behind: give them a moment, then close all.
    setTimeout(() => server.closeAllConnections(), lingerMs).unref();
    await closed;
    return true as const;
  })();
  const finished = await Promise.race([stopped, late]);
  clearTimeout(deadline);
  return finished;
}
