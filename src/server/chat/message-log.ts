import path from 'node:path';
import { createBatchQueue } from './batch-queue.ts';
import { AUTHOR_MAX_CHARS, ROOM_NAME_PATTERN, TEXT_MAX_CHARS, type ChatDraft, type ChatMessage } from './chat-message.ts';
import { openLogFile, type LogFile } from './log-file.ts';
import type { MessageStore, WaitOptions, WaitResult } from './message-store.ts';
import { createRoomTable, type RoomTableOptions } from './room-table.ts';
import { createWaiterRegistry } from './waiter-registry.ts';

export const CHAT_LOG_FILE = 'chat-log.jsonl';
/** The file is rewritten with only the retained messages once it holds this many lines and twice the retained count. */
export const COMPACT_MIN_LINES = 10_000;

export interface MessageLogOptions extends Omit<RoomTableOptions, 'isBusy'> {
  /** Folder of the log file; without one, messages live in memory only (tests). */
  dataDir?: string;
  compactMinLines?: number;
  /** Aborted at shutdown: held polls answer empty at once. */
  endSignal?: AbortSignal;
  onWarning?: (message: string) => void;
}

/**
 * The embedded message store: rooms in memory, every message in a JSON-lines file before
 * it is acknowledged, waiting requests settled by the next message of their room.
 */
export function createMessageLog({
  dataDir,
  compactMinLines = COMPACT_MIN_LINES,
  endSignal,
  onWarning = console.warn,
  now = Date.now,
  ...roomOptions
}: MessageLogOptions = {}): MessageStore {
  const waiters = createWaiterRegistry<WaitResult>({
    endSignal,
    quiet: (outcome, after) => ({ messages: [], cursor: after, gap: false, outcome }),
  });
  const rooms = createRoomTable({ ...roomOptions, now, isBusy: (room) => waiters.has(room) });
  let file: LogFile | undefined;
  let ready: Promise<void> | undefined;
  /** Rooms hold everything on disk (or there is no disk): requests can be answered at once. */
  let opened = false;
  let closing: Promise<void> | undefined;

  // Replaying a large file takes a moment: do it on first use, not while the server module loads.
  const whenReady = (): Promise<void> => {
    if (closing) return Promise.reject(new Error('the chat store is closed'));
    if (opened && file?.broken) {
      // A rejected batch may have left lines in the file: cut them off and replay it afresh.
      opened = false;
      ready = undefined;
    }
    return (ready ??= load().catch((error: unknown) => {
      ready = undefined; // try again on the next request rather than failing forever
      throw error;
    }));
  };

  const load = async () => {
    if (dataDir !== undefined) {
      // Until the new file is in place, `file` stays the broken one: a batch written meanwhile
      // fails (503) instead of skipping the disk.
      const broken = file;
      await broken?.close().catch((error: unknown) => onWarning(`closing the broken chat log failed (${String(error)}); reopening anyway`));
      rooms.clear(); // the replay below rebuilds them, also after a replay that failed halfway
      file = await openLogFile(path.join(dataDir, CHAT_LOG_FILE), {
        onRecord: (record, line) => replayRecord(record, line),
        onWarning,
        validBytes: broken?.byteLength,
      });
      rooms.dropIdle();
    }
    opened = true;
  };

  const replayRecord = (record: unknown, line: number) => {
    const message = asStoredMessage(record);
    if (!message) return onWarning(`chat log line ${line} is not a message; skipped`);
    const held = rooms.lastId(message.room); // 0 when the room is not held
    if (held !== 0 && message.id !== held + 1) {
      // A room that was dropped while the server ran started again from id 1; anything else is damage.
      if (message.id !== 1) {
        return onWarning(`chat log line ${line}: id ${message.id} in room "${message.room}" does not follow ${held}; skipped`);
      }
      rooms.drop(message.room);
    }
    rooms.add(message, message.at);
  };

  // #region append
  const queue = createBatchQueue<ChatDraft, ChatMessage>({
    async write(drafts) {
      // Ids are given out here, one batch at a time, so they follow the order of the file.
      const at = now();
      const nextIds = new Map<string, number>();
      const messages = drafts.map(({ room, text, author }): ChatMessage => {
        const id = (nextIds.get(room) ?? rooms.lastId(room)) + 1;
        nextIds.set(room, id);
        return { id, text, author, at, room };
      });
      await file?.append(messages.map((message) => JSON.stringify(message)));
      // On disk: now make them visible and wake whoever waits in those rooms.
      for (const message of messages) rooms.add(message, at);
      for (const room of nextIds.keys()) waiters.notify(room, (after) => ({ ...rooms.read(room, after), outcome: 'message' }));
      return messages;
    },
    async afterBatch() {
      rooms.dropIdle();
      if (file && !file.broken && file.lineCount >= compactMinLines && file.lineCount > 2 * rooms.messageCount) {
        // A snapshot: reads reorder the rooms while the file is written.
        await file.rewrite(mapIterable(rooms.snapshot(), (message) => JSON.stringify(message)));
      }
    },
  });
  // #endregion append

  // #region wait
  // News already (or a gap to report): answer at once. Checking and registering happen in
  // one synchronous step, so no message can slip in between.
  const waitNow = (room: string, after: number, { timeoutMs, signal }: WaitOptions): Promise<WaitResult> => {
    const current = rooms.read(room, after);
    if (current.messages.length > 0 || current.gap) return Promise.resolve({ ...current, outcome: 'message' });
    if (timeoutMs === 0) return Promise.resolve({ ...current, outcome: 'timeout' });
    return waiters.waitForNews(room, after, { timeoutMs, signal });
  };
  // #endregion wait

  return {
    async append(draft) {
      await whenReady();
      return queue.push(draft);
    },

    async read(room, after) {
      await whenReady();
      return rooms.read(room, after);
    },

    waitForMessagesAfter(room, after, options) {
      // Not async: once the store is ready (after the first use; with a file, once it is replayed),
      // a held request keeps no suspended function of ours.
      return opened ? waitNow(room, after, options) : whenReady().then(() => waitNow(room, after, options));
    },

    get counts() {
      return { rooms: rooms.roomCount, messages: rooms.messageCount, waiters: waiters.size, lastId: rooms.highestId };
    },

    async flush() {
      await queue.idle();
    },

    close() {
      return (closing ??= (async () => {
        await ready?.catch(() => {}); // an open that failed left nothing to close
        await queue.idle();
        await file?.close();
      })());
    },
  };
}

/** A replayed record, checked field by field: the file may have been edited or damaged. */
function asStoredMessage(record: unknown): ChatMessage | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const { id, text, author, at, room } = record as Record<string, unknown>;
  const valid =
    Number.isSafeInteger(id) &&
    (id as number) > 0 &&
    typeof text === 'string' &&
    text.length <= TEXT_MAX_CHARS &&
    typeof author === 'string' &&
    author.length <= AUTHOR_MAX_CHARS &&
    Number.isFinite(at) &&
    typeof room === 'string' &&
    ROOM_NAME_PATTERN.test(room);
  return valid ? { id: id as number, text, author, at: at as number, room } : undefined;
}

function* mapIterable<T, R>(items: Iterable<T>, map: (item: T) => R): Generator<R> {
  for (const item of items) yield map(item);
}
