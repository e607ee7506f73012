import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** The most server processes `WORKERS` may ask for. */
export const MAX_WORKERS = 64;
/** A worker that dies sooner than this after its start is replaced only after the rest of this pause, in milliseconds. */
export const RESTART_PAUSE_MS = 1_000;
/** How long the primary waits for its workers to finish their own graceful shutdown, in milliseconds. */
export const WORKERS_SHUTDOWN_MS = 6_000;

/**
 * How many server processes the environment asks for: `WORKERS=N` (1 to {@link MAX_WORKERS},
 * or `auto` for one per core). Unset means one process, the default, which needs no Redis.
 * @throws Error with a one-line reason: a malformed count, or more than one process without `REDIS_URL`.
 */
export function workerCount(env: Record<string, string | undefined>): number {
  const raw = env.WORKERS;
  if (raw === undefined || raw === '') return 1;
  const count = raw === 'auto' ? availableParallelism() : Number(raw);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_WORKERS) {
    throw new Error(`WORKERS must be a whole number from 1 to ${MAX_WORKERS}, or "auto"; received "${raw}"`);
  }
  if (count > 1 && !env.REDIS_URL) {
    throw new Error(
      `WORKERS=${raw} runs ${count} processes, which share the chat through Redis: set REDIS_URL too (e.g. REDIS_URL=redis://127.0.0.1:6379)`,
    );
  }
  return count;
}

/** Whether this process is the one that should only start and watch the workers. */
export function isWorkersPrimary(env: Record<string, string | undefined>): boolean {
  return cluster.isPrimary && workerCount(env) > 1;
}

/**
 * The name this process gives in each answer's `X-Served-By` header: `worker-N` (stable across
 * a replacement of worker N) or `single`, with the process id after a slash (`worker-2/4817`).
 */
export function servedBy(env: Record<string, string | undefined> = process.env): string {
  return `${env.COMET_WORKER ? `worker-${env.COMET_WORKER}` : 'single'}/${process.pid}`;
}

/**
 * Runs `count` copies of this script with `node:cluster`, all serving the same port (the
 * primary accepts connections and hands them out in turn). A worker that dies is replaced;
 * SIGTERM or SIGINT is passed on to every worker, and the primary exits when they have.
 * Once every worker listens, the primary tells its own parent the port (`{listening: port}`),
 * as a single process does. Never resolves: the primary ends with `process.exit`.
 */
// #region supervise
export function superviseWorkers(count: number): Promise<never> {
  let shuttingDown = false;
  const listening = new Set<number>();
  let reported = false;

  const start = (slot: number) => {
    const startedAt = Date.now();
    const worker = cluster.fork({ COMET_WORKER: String(slot) });
    worker.on('message', (message: { listening?: number }) => {
      if (typeof message?.listening !== 'number') return;
      listening.add(slot);
      if (!reported && listening.size === count) {
        reported = true;
        console.log(`${count} worker processes share port ${message.listening}, and the chat through Redis.`);
        process.send?.({ listening: message.listening });
      }
    });
    worker.on('exit', (code, signal) => onExit(worker, slot, startedAt, code, signal));
  };

  const onExit = (_worker: Worker, slot: number, startedAt: number, code: number | null, signal: string | null) => {
    if (shuttingDown) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`Worker ${slot} stopped (${signal ?? `exit code ${code}`}); starting another in its place.`);
    setTimeout(() => start(slot), Math.max(0, RESTART_PAUSE_MS - (Date.now() - startedAt)));
  };

  const shutDown = () => {
    if (shuttingDown) return;
    shuttingDown = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      console.error(`Workers did not stop within ${WORKERS_SHUTDOWN_MS / 1000} s; exiting anyway.`);
      process.exit(1);
    }, WORKERS_SHUTDOWN_MS).unref();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, shutDown);

  for (let slot = 1; slot <= count; slot += 1) start(slot);
  return new Promise<never>(() => {});
}
// #endregion supervise
