import path from 'node:path';
import { badRequest, HttpError, jsonResponse, serviceUnavailable } from '../http/http-error.ts';
import { optionalInteger, readQuery } from '../http/query-params.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { fileTimeInSeconds, nodeFileSystem, type NaiveFileSystem } from './naive-file-system.ts';
import { waitForNewerFile } from './wait-for-newer-file.ts';

/** The one file the whole naive chat shares: it only ever holds the latest message. */
export const DATA_FILE_NAME = 'naive-chat.txt';
/** Longer messages are refused: the write is a GET, so it must stay small. (The chat's own cap is MESSAGE_MAX_CHARS.) */
export const NAIVE_MESSAGE_MAX_CHARS = 200;
/** Per-client limit on writes, for `createRateLimiter`. */
export const WRITE_RATE_LIMIT = { perSecond: 3, burst: 10 };
/** Waits one client may hold at once (only while per-client limits are on). */
export const MAX_WAITS_PER_CLIENT = 10;
/** Retry-After of the 503 answered while the data file cannot be used. */
export const FILE_TROUBLE_RETRY_AFTER_SECONDS = 5;
/** Year 2286: a larger "timestamp" is a mistake, not a time. */
const MAX_TIMESTAMP_SECONDS = 9_999_999_999;

export interface NaiveBackendOptions {
  dataDir: string;
  stats: ServerStats;
  writeLimiter: RateLimiter;
  /** Waits held at once across all visitors, the server's idle waiters included; more get a 503. */
  maxWaiters: number;
  perClientLimits: boolean;
  /** Aborted when the server shuts down: every wait answers at once. */
  shutdownSignal?: AbortSignal;
  fs?: NaiveFileSystem;
  capMs?: number;
}

/**
 * `GET /api/naive/backend?msg=TEXT` overwrites the data file; `GET /api/naive/backend?timestamp=N`
 * answers `{ msg, timestamp }` once the file's whole-second time is greater than N.
 * A literal port of the article's backend: the flaws are kept on purpose (see the lesson).
 */
export function createNaiveBackend({
  dataDir,
  stats,
  writeLimiter,
  maxWaiters,
  perClientLimits,
  shutdownSignal = new AbortController().signal,
  fs = nodeFileSystem,
  capMs,
}: NaiveBackendOptions) {
  const file = path.join(dataDir, DATA_FILE_NAME);
  const statCalls = stats.createRate('naiveStatCalls');
  const waiters = createWaiterQuota({
    maxTotal: maxWaiters,
    maxPerClient: MAX_WAITS_PER_CLIENT,
    perClientEnabled: perClientLimits,
  });
  let writeCount = 0;
  let idleWaiters = 0;
  stats.addGauge('naiveWaiters', () => waiters.held - idleWaiters); // visitors' waits; idle-load reports its own

  // A full disk or a missing folder is the server's trouble, not the client's: a 503 with
  // Retry-After, logged once until the file works again rather than once per request.
  let filesFailing = false;
  const unavailable = (error: unknown): unknown => {
    if (error instanceof HttpError || typeof (error as NodeJS.ErrnoException | null)?.code !== 'string') return error;
    if (!filesFailing) console.error(`The naive chat cannot use its data file ${file}:`, error);
    filesFailing = true;
    return serviceUnavailable('the naive chat cannot reach its data file right now; try again shortly', FILE_TROUBLE_RETRY_AFTER_SECONDS);
  };

  // Prepared on start, so the very first wait has a file to look at; a failure is tried again on the next use.
  let ready: Promise<void> | undefined;
  const whenReady = () =>
    (ready ??= (async () => {
      await fs.mkdir(dataDir);
      await fs.createIfMissing(file);
    })().catch((error: unknown) => {
      ready = undefined;
      throw unavailable(error);
    }));
  whenReady().catch(() => {}); // logged by unavailable()

  // #region write
  const writeMessage = async (msg: string) => {
    // PHP's file_put_contents could let a reader see a half-written file; writing beside it and
    // renaming keeps that third race out, so the lesson shows the two flaws it is about.
    const temporary = `${file}.${process.pid}.${++writeCount}.tmp`;
    await fs.writeFile(temporary, msg);
    await fs.rename(temporary, file); // the file now holds this message, and only this one
  };
  // #endregion write

  async function handleNaiveBackend(request: Request, client: string): Promise<Response> {
    const query = readQuery(new URL(request.url), ['msg', 'timestamp']);
    await whenReady();
    try {
      const response = await respond(query, request, client);
      filesFailing = false;
      return response;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async function respond(query: Map<string, string>, request: Request, client: string): Promise<Response> {
    // #region backend
    const msg = query.get('msg') ?? '';
    if (msg !== '') {
      if (msg.length > NAIVE_MESSAGE_MAX_CHARS) {
        throw badRequest(`"msg" may be at most ${NAIVE_MESSAGE_MAX_CHARS} characters; received ${msg.length}`);
      }
      writeLimiter.take(client, 'messages');
      await writeMessage(msg);
      return new Response(null, { status: 204 }); // the original answered nothing at all
    }

    const since = optionalInteger(query, 'timestamp', { min: 0, max: MAX_TIMESTAMP_SECONDS }) ?? 0;
    const release = waiters.acquire(client);
    try {
      const { outcome, timestamp } = await waitForNewerFile({
        fs,
        file,
        since,
        signal: AbortSignal.any([request.signal, shutdownSignal]),
        capMs,
        onStat: () => statCalls.add(),
      });
      if (outcome !== 'changed') return jsonResponse({ msg: null, timestamp }); // capped, or nobody left to tell
      // Whatever the file holds *now*: a message written in between is the only one anyone sees.
      return jsonResponse({ msg: await fs.readFile(file), timestamp });
    } finally {
      release();
    }
    // #endregion backend
  }

  /**
   * A waiter that no client holds, for the "add idle waiters" button: it waits exactly as a
   * browser's request would and, like a browser, asks again after every answer, until `signal` aborts.
   * It holds a place of `maxWaiters` as a visitor's wait does (taken at once, before any await).
   */
  async function holdIdleWaiter(signal: AbortSignal): Promise<void> {
    const release = waiters.acquireForServer();
    idleWaiters += 1;
    try {
      await whenReady();
      let since = await fileTimeInSeconds(fs, file);
      statCalls.add();
      const stop = AbortSignal.any([signal, shutdownSignal]);
      while (!stop.aborted) {
        ({ timestamp: since } = await waitForNewerFile({ fs, file, since, signal: stop, capMs, onStat: () => statCalls.add() }));
      }
    } finally {
      idleWaiters -= 1;
      release();
    }
  }

  /** Places left for waits of either kind: how many idle waiters may start now. */
  const freeWaiterPlaces = () => waiters.free;

  return { handleNaiveBackend, holdIdleWaiter, freeWaiterPlaces, file };
}

export type NaiveBackend = ReturnType<typeof createNaiveBackend>;
