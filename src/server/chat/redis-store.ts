import { createClient } from 'redis';
import { HttpError } from '../http/http-error.ts';
import type { ChatMessage } from './chat-message.ts';
import { EMPTY_ROOM_EPOCH, formatCursor, newEpoch, type Cursor } from './cursor.ts';
import { IdempotencyConflictError, type MessageStore, type ReadResult, type StoreCounts } from './message-store.ts';
import { APPEND_SCRIPT, READ_SCRIPT } from './redis-scripts.ts';
import { createRedisWakeups } from './redis-wakeups.ts';
import { INITIAL_MESSAGES, MAX_MESSAGES_PER_ROOM, MAX_ROOMS, ROOM_IDLE_MS } from './room-table.ts';

/** The longest pause between two attempts to reach Redis again, in milliseconds. */
export const REDIS_RECONNECT_MAX_MS = 1_000;
/** The shared totals (rooms, messages) behind `counts` are asked of Redis at most this often, in milliseconds. */
export const COUNTS_REFRESH_MS = 1_000;
/** Default prefix of every key and of the news channel. */
export const REDIS_KEY_PREFIX = 'comet:';

export interface RedisStoreOptions {
  /** `redis://host:port[/db]` (`REDIS_URL`). */
  url: string;
  /** Prefix of every key and of the news channel; tests give each store its own. */
  prefix?: string;
  maxRooms?: number;
  maxMessagesPerRoom?: number;
  idleMs?: number;
  /** Aborted at shutdown: held polls answer empty at once. */
  endSignal?: AbortSignal;
  onWarning?: (message: string) => void;
}

/** Seconds a client is asked to wait while Redis cannot be reached. */
export const STORE_UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * Redis cannot be reached right now: an expected outage, not a bug, so it is an `HttpError` 503
 * with a Retry-After that the chat answers as it is (the outage itself is logged once, by the
 * store, not once per request). `reason` says why, for logs; the client gets a plain sentence.
 */
export class StoreUnavailableError extends HttpError {
  readonly reason: string;

  constructor(reason: string) {
    super(503, 'the chat is unavailable right now; try again shortly', { 'Retry-After': String(STORE_UNAVAILABLE_RETRY_SECONDS) });
    this.name = 'StoreUnavailableError';
    this.reason = reason;
  }
}

/**
 * The shared message store: rooms in Redis Streams, so that every server process serves the
 * same chat. Ids, epochs, retention ({@link MAX_MESSAGES_PER_ROOM} per room), the room cap and
 * the idle rule follow the embedded store exactly, kept atomically by Lua scripts
 * (`redis-scripts.ts`). A message is acknowledged once Redis has answered the append: with
 * `appendfsync always` that is after it reached Redis's disk.
 *
 * Each process holds two connections, whatever its number of waiters: one for commands, one
 * subscribed to the news channel, whose notifications wake this process's waiters
 * (`redis-wakeups.ts`). While Redis is unreachable, every call rejects at once with
 * {@link StoreUnavailableError} (no offline queue), held waits are released empty, and both
 * connections keep trying to come back, at most {@link REDIS_RECONNECT_MAX_MS} apart.
 */
export function createRedisStore({
  url,
  prefix = REDIS_KEY_PREFIX,
  maxRooms = MAX_ROOMS,
  maxMessagesPerRoom = MAX_MESSAGES_PER_ROOM,
  idleMs = ROOM_IDLE_MS,
  endSignal,
  onWarning = console.warn,
}: RedisStoreOptions): MessageStore {
  const socket = { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, REDIS_RECONNECT_MAX_MS), connectTimeout: 2_000 };
  const commands = createClient({ url, socket, disableOfflineQueue: true });
  const subscriber = commands.duplicate();
  const channel = `${prefix}news`;
  const keysOf = (room: string) => [
    `${prefix}room:${room}`,
    `${prefix}log:${room}`,
    `${prefix}keys:${room}`,
    `${prefix}rooms`,
    `${prefix}messages`,
  ];
  const shared = (room: string) => [room, prefix, channel, String(maxRooms), String(idleMs), newEpoch(), EMPTY_ROOM_EPOCH];
  const counts: StoreCounts = { rooms: 0, messages: 0, waiters: 0, lastId: 0 };
  let closing: Promise<void> | undefined;
  /** The last failure reported per connection: each is reported once, not once per retry. */
  const lastReported = new Map<string, string>();
  let countsRefreshedAt = -Infinity;

  const report = (what: string, error: unknown) => {
    const message = `Redis (${what}): ${error instanceof Error ? error.message : String(error)}`;
    if (message !== lastReported.get(what)) onWarning(message);
    lastReported.set(what, message);
  };

  // #region redis-read
  const read = async (room: string, after?: Cursor): Promise<ReadResult> => {
    const reply = (await run(() =>
      commands.eval(READ_SCRIPT, {
        keys: keysOf(room),
        arguments: [
          ...shared(room),
          after ? '1' : '0',
          after?.epoch ?? '',
          String(after?.id ?? 0),
          String(INITIAL_MESSAGES),
        ],
      }),
    )) as [string, string, number, number, StreamEntry[]];
    const [epoch, lastId, gap, reset, entries] = reply;
    counts.lastId = Math.max(counts.lastId, Number(lastId));
    return {
      messages: entries.map((entry) => toMessage(entry, room, epoch)),
      cursor: formatCursor({ epoch, id: Number(lastId) }),
      gap: gap === 1,
      reset: reset === 1,
    };
  };
  // #endregion redis-read

  const wakeups = createRedisWakeups(read);

  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    if (closing) throw new Error('the chat store is closed');
    if (!commands.isReady) throw new StoreUnavailableError('not connected');
    try {
      return await command();
    } catch (error) {
      if (!commands.isReady) throw new StoreUnavailableError(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };

  commands.on('error', (error: unknown) => {
    report('commands', error);
    wakeups.releaseAll('timeout'); // held polls end now; their next poll meets a 503
  });
  commands.on('ready', () => {
    if (lastReported.delete('commands')) onWarning('Redis (commands): connected again');
    wakeups.wakeAll();
  });
  subscriber.on('error', (error: unknown) => report('subscription', error));
  // After a cut the client restores the subscription before it is ready again; anything
  // published meanwhile was missed, so every room with waiters is read again.
  subscriber.on('ready', () => {
    lastReported.delete('subscription');
    wakeups.wakeAll();
  });

  void Promise.all([
    commands.connect(),
    // The process may serve polls before its first subscription is confirmed: a message published
    // in between reached no one here, so the rooms that have waiters by then are read once more.
    subscriber
      .connect()
      .then(() => subscriber.subscribe(channel, (room) => wakeups.wake(room)))
      .then(() => wakeups.wakeAll()),
  ]).catch((error: unknown) => report('first connection', error));

  endSignal?.addEventListener('abort', () => wakeups.releaseAll('aborted'), { once: true });

  return {
    // #region redis-append
    async append({ room, text, author, idempotencyKey }, { admit } = {}) {
      if (admit) {
        // Admission is for new posts only: a retry of a stored one is free. The key is looked up
        // first; a race with the same retry on another process costs at most one admission.
        const known = idempotencyKey ? await run(() => commands.hGet(`${prefix}keys:${room}`, idempotencyKey)) : null;
        if (known === null || known === undefined) await admit();
      }
      const reply = (await run(() =>
        commands.eval(APPEND_SCRIPT, {
          keys: keysOf(room),
          arguments: [...shared(room), text, author, idempotencyKey ?? '', String(maxMessagesPerRoom)],
        }),
      )) as string[];
      if (reply[0] === 'conflict') throw new IdempotencyConflictError(idempotencyKey ?? '');
      const [outcome, epoch, id, storedAuthor, at] = reply as [string, string, string, string, string];
      counts.lastId = Math.max(counts.lastId, Number(id));
      const message: ChatMessage = { id: Number(id), epoch, text, author: storedAuthor, at: Number(at), room };
      return { message, repeated: outcome === 'repeated' };
    },
    // #endregion redis-append

    read,

    waitForMessagesAfter(room, after, options) {
      if (closing) return Promise.reject(new Error('the chat store is closed'));
      if (!commands.isReady) return Promise.reject(new StoreUnavailableError('not connected'));
      return wakeups.wait(room, after, options);
    },

    get counts() {
      counts.waiters = wakeups.size;
      if (commands.isReady && !closing && performance.now() - countsRefreshedAt >= COUNTS_REFRESH_MS) {
        // Gauges are read synchronously: answer the last known totals and refresh them for next time.
        countsRefreshedAt = performance.now();
        commands
          .multi()
          .zCard(`${prefix}rooms`)
          .get(`${prefix}messages`)
          .exec()
          .then(([rooms, messages]) => {
            counts.rooms = Number(rooms);
            counts.messages = Number(messages ?? 0);
          })
          .catch(() => {});
      }
      return { ...counts };
    },

    async flush() {
      // Nothing to wait for: an append resolves only once Redis has answered (and, with
      // appendfsync always, written it to disk).
    },

    close() {
      return (closing ??= (async () => {
        wakeups.releaseAll('aborted');
        await Promise.allSettled(
          [subscriber, commands].map(async (client) => {
            if (client.isReady) await client.close();
            else if (client.isOpen) client.destroy(); // still trying to reach Redis: stop trying
          }),
        );
      })());
    },
  };
}

/** `[id, [field, value, …]]`, as XRANGE answers: fields `t` text, `a` author, `at` ms. */
type StreamEntry = [string, string[]];

function toMessage([entryId, fields]: StreamEntry, room: string, epoch: string): ChatMessage {
  // Redis keeps the fields in the order the append script wrote them.
  const [, text = '', , author = '', , at = '0'] = fields;
  return { id: Number(entryId.slice(0, entryId.indexOf('-'))), epoch, text, author, at: Number(at), room };
}
