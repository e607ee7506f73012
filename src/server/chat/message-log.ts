import { createHash } from 'node:crypto';
import path from 'node:path';
import { createBatchQueue } from './batch-queue.ts';
import {
  AUTHOR_MAX_CHARS,
  IDEMPOTENCY_KEY_PATTERN,
  ROOM_NAME_PATTERN,
  TEXT_MAX_CHARS,
  type ChatDraft,
  type ChatMessage,
} from './chat-message.ts';
import { EMPTY_ROOM_EPOCH, EPOCH_PATTERN, formatCursor, newEpoch, type Cursor } from './cursor.ts';
import { LogReadOnlyError, openLogFile, type AppendFigures, type LogFile } from './log-file.ts';
import { IdempotencyConflictError, type AppendResult, type MessageStore, type WaitOptions, type WaitResult } from './message-store.ts';
import { createRoomTable, MAX_MESSAGES_PER_ROOM, MAX_ROOMS, type RoomTableOptions } from './room-table.ts';
import { createWaiterRegistry } from './waiter-registry.ts';

export const CHAT_LOG_FILE = 'chat-log.jsonl';
/** The file is rewritten with only the retained messages once it holds this many lines and twice the retained count. */
export const COMPACT_MIN_LINES = 10_000;
/**
 * The longest line a record can take, in bytes, measured by `tests/unit/server/chat/log-record-size.test.ts`
 * (every field at its limit, a text of 3-byte characters, an idempotency key, 16-digit numbers).
 */
export const WORST_CASE_LINE_BYTES = 1_833;
/** What the retained messages can take on disk at most, with the default limits (1,000 rooms × 500 messages). */
export const RETAINED_MAX_BYTES = MAX_ROOMS * MAX_MESSAGES_PER_ROOM * WORST_CASE_LINE_BYTES;
/**
 * The file is also rewritten once it reaches this many bytes, however few lines it has: a quarter
 * above the most the retained messages can take, so the file stays under this bound (plus one
 * batch) and a rewrite's temporary copy under `RETAINED_MAX_BYTES`, whatever the lines hold.
 */
export const COMPACT_MAX_BYTES = Math.ceil(RETAINED_MAX_BYTES * 1.25);

/** One batch of posts written to the log: for the server's statistics and the bench. */
export interface BatchWritten extends AppendFigures {
  /** Messages in the batch (lines written). */
  messages: number;
}

export interface MessageLogOptions extends RoomTableOptions {
  /** Folder of the log file; without one, messages live in memory only (tests). */
  dataDir?: string;
  compactMinLines?: number;
  compactMaxBytes?: number;
  /** Aborted at shutdown: held polls answer empty at once. */
  endSignal?: AbortSignal;
  onWarning?: (message: string) => void;
  /** Called after each batch reached the disk, with what it cost. */
  onBatchWritten?: (batch: BatchWritten) => void;
  /** Source of new epochs (tests make them predictable). */
  createEpoch?: () => string;
}

/** What one line of the log holds: a message, and the key it was posted with. */
interface LogRecord extends ChatMessage {
  idempotencyKey?: string;
}

/** The embedded store, which can also say why it refuses posts. */
export interface EmbeddedMessageStore extends MessageStore {
  /** Why posts are refused (a read-only data folder), or undefined. */
  readonly readOnlyReason: string | undefined;
}

/**
 * The embedded message store: rooms in memory, every message in a JSON-lines file before
 * it is acknowledged, waiting requests settled by the next message of their room.
 * Each line holds one message with its room's epoch (and idempotency key), so a restart
 * replays the same incarnations the running server had.
 */
export function createMessageLog({
  dataDir,
  compactMinLines = COMPACT_MIN_LINES,
  compactMaxBytes = COMPACT_MAX_BYTES,
  endSignal,
  onWarning = console.warn,
  onBatchWritten,
  createEpoch = newEpoch,
  now = Date.now,
  ...roomOptions
}: MessageLogOptions = {}): EmbeddedMessageStore {
  const waiters = createWaiterRegistry<WaitResult>({
    endSignal,
    quiet: (outcome, after) => ({ messages: [], cursor: formatCursor(after), gap: false, reset: false, outcome }),
  });
  const rooms = createRoomTable({ ...roomOptions, now });
  let file: LogFile | undefined;
  let ready: Promise<void> | undefined;
  /** Rooms hold everything on disk (or there is no disk): requests can be answered at once. */
  let opened = false;
  let closing: Promise<void> | undefined;
  /** Damaged lines found by the last replay: the next batch compacts the file to repair it. */
  let repairPending = false;
  /** The file's size after its last rewrite (or replay). */
  let compactedBytes = 0;

  // Replaying a large file takes a moment: it starts now, in the background (so damage is reported
  // at start), and requests wait for it. A replay that fails is tried again by the next request.
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
      const replay = createReplay();
      file = await openLogFile(path.join(dataDir, CHAT_LOG_FILE), {
        onRecord: replay.record,
        onDamage: replay.damage,
        onWarning,
        validBytes: broken?.byteLength,
      });
      replay.finish();
      rooms.dropIdle();
      compactedBytes = file.byteLength;
    }
    opened = true;
  };

  // #region replay
  /**
   * Rebuilds the rooms from the file's lines. A damaged line costs that line only: later lines
   * replay, and the ids it may have held are never given again in its room's incarnation.
   * Damage is reported once, with line numbers, and the next batch rewrites the file without it.
   */
  const createReplay = () => {
    const damaged: number[] = [];
    /** Epochs given to rooms of a log written before epochs existed, per room. */
    const legacyEpochs = new Map<string, string>();
    const unplaced: number[] = []; // damaged lines whose room could not be read
    const lastLineOf = new Map<string, number>(); // each room's last replayed line

    const record = (raw: unknown, line: number) => {
      const position = asPosition(raw);
      if (position) return rooms.skipIdsTo(position.room, position.epoch, position.lastId);
      const stored = asLogRecord(raw, legacyEpochs);
      if (!stored) return damage(line, JSON.stringify(raw)); // JSON, but not a message: damage all the same
      const held = rooms.epoch(stored.room) === stored.epoch ? rooms.lastId(stored.room) : 0;
      if (stored.id <= held) {
        damaged.push(line); // an id going backwards within an incarnation: a copied or edited line
        return;
      }
      const { idempotencyKey, ...message } = stored;
      rooms.add(message, idempotencyKey);
      lastLineOf.set(message.room, line);
    };

    const damage = (line: number, text: string | undefined) => {
      damaged.push(line);
      // What can still be read of the line tells whose id it held; otherwise every room skips one.
      const room = text && /"room":"([a-z0-9-]{1,32})"/.exec(text)?.[1];
      const epoch = text && /"epoch":"([a-z0-9]{1,16})"/.exec(text)?.[1];
      const id = text && /"id":(\d{1,16})[,}]/.exec(text)?.[1];
      if (room && epoch && id) rooms.skipIdsTo(room, epoch, Number(id));
      else unplaced.push(line);
    };

    const finish = () => {
      if (damaged.length === 0) return;
      repairPending = true;
      const shown = damaged.slice(0, 10).join(', ') + (damaged.length > 10 ? ', …' : '');
      onWarning(
        `chat log: ${damaged.length} damaged line${damaged.length === 1 ? '' : 's'} skipped (line ${shown}); ` +
          'later lines were replayed, and the next write rewrites the file without them',
      );
      // A line nothing could be read of may have held the newest message of any room whose lines
      // end before it (a later line of a room already has a higher id): those rooms skip an id.
      for (const { message } of lastMessages()) {
        const after = unplaced.filter((line) => line > (lastLineOf.get(message.room) ?? 0)).length;
        if (after > 0) rooms.skipIdsTo(message.room, message.epoch, message.id + after);
      }
    };

    return { record, damage, finish };
  };

  const lastMessages = () => {
    const last = new Map<string, { message: ChatMessage }>();
    for (const entry of rooms.snapshot()) last.set(entry.message.room, entry);
    return last.values();
  };
  // #endregion replay

  // #region append
  type Outcome = AppendResult | IdempotencyConflictError;
  const queue = createBatchQueue<ChatDraft, Outcome>({
    async write(drafts) {
      // Ids (and a new room's epoch) are given out here, one batch at a time, so they follow the order of the file.
      const at = now();
      const next = new Map<string, { epoch: string; id: number }>();
      const byKey = new Map<string, ChatMessage>(); // keys of this batch: a retry may land in the same batch
      const outcomes: Outcome[] = [];
      const records: LogRecord[] = [];
      for (const draft of drafts) {
        const { room, text, author, idempotencyKey } = draft;
        const earlier = idempotencyKey === undefined ? undefined : (rooms.findByKey(room, idempotencyKey) ?? byKey.get(`${room} ${idempotencyKey}`));
        if (earlier) {
          outcomes.push(earlier.text === text ? { message: earlier, repeated: true } : new IdempotencyConflictError(idempotencyKey!));
          continue;
        }
        const position = next.get(room) ?? { epoch: rooms.epoch(room) ?? createEpoch(), id: rooms.lastId(room) };
        position.id += 1;
        next.set(room, position);
        const message: ChatMessage = { id: position.id, epoch: position.epoch, text, author, at, room };
        if (idempotencyKey !== undefined) byKey.set(`${room} ${idempotencyKey}`, message);
        records.push(idempotencyKey === undefined ? message : { ...message, idempotencyKey });
        outcomes.push({ message, repeated: false });
      }
      if (records.length > 0 && file) {
        const figures = await file.append(records.map((record) => JSON.stringify(record)));
        onBatchWritten?.({ ...figures, messages: records.length });
      }
      // On disk: now make them visible and wake whoever waits in those rooms.
      for (const { idempotencyKey, ...message } of records) rooms.add(message, idempotencyKey);
      for (const room of next.keys()) waiters.notify(room, (after) => ({ ...rooms.read(room, after), outcome: 'message' }));
      return outcomes;
    },
    async afterBatch() {
      rooms.dropIdle();
      if (!file || file.broken || file.readOnlyReason) return;
      const byLines = file.lineCount >= compactMinLines && file.lineCount > 2 * rooms.messageCount;
      // By bytes too: long lines could otherwise pass the disk bound before the line count says so.
      // (The growth condition only matters with a bound set below what is retained: no rewrite per batch.)
      const byBytes = file.byteLength >= compactMaxBytes && file.byteLength - compactedBytes >= compactMaxBytes / 5;
      if (repairPending || byLines || byBytes) {
        const snapshot = rooms.snapshot(); // taken now: later writes wait for this batch step
        const positions = rooms.positions().map((position) => JSON.stringify(position));
        await file.rewrite(
          concatIterables(
            mapIterable(snapshot, ({ message, idempotencyKey }) => JSON.stringify(idempotencyKey === undefined ? message : { ...message, idempotencyKey })),
            positions,
          ),
        );
        repairPending = false;
        compactedBytes = file.byteLength;
      }
    },
  });
  // #endregion append

  // #region wait
  // News already (or a gap or reset to report): answer at once. Checking and registering happen in
  // one synchronous step, so no message can slip in between.
  const waitNow = (room: string, after: Cursor, { timeoutMs, signal }: WaitOptions): Promise<WaitResult> => {
    const current = rooms.read(room, after);
    if (current.messages.length > 0 || current.gap || current.reset) return Promise.resolve({ ...current, outcome: 'message' });
    if (timeoutMs === 0) return Promise.resolve({ ...current, outcome: 'timeout' });
    // Wait at the room's own cursor: a client at `0.0` of an empty room is at the same place.
    return waiters.waitForNews(room, after, { timeoutMs, signal });
  };
  // #endregion wait

  if (dataDir !== undefined) whenReady().catch(() => {}); // the first request that needs it reports the failure

  return {
    async append(draft, { admit } = {}) {
      await whenReady();
      if (file?.readOnlyReason) throw new LogReadOnlyError(file.readOnlyReason);
      const earlier = draft.idempotencyKey === undefined ? undefined : rooms.findByKey(draft.room, draft.idempotencyKey);
      if (earlier) {
        if (earlier.text !== draft.text) throw new IdempotencyConflictError(draft.idempotencyKey!);
        return { message: earlier, repeated: true };
      }
      admit?.();
      const outcome = await queue.push(draft);
      if (outcome instanceof IdempotencyConflictError) throw outcome;
      return outcome;
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

    get readOnlyReason() {
      return file?.readOnlyReason;
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

/**
 * A replayed line, checked field by field: the file may have been edited or damaged. A record
 * written before epochs existed gets a stable epoch: derived from its room and the first record
 * of its incarnation (a record with id 1, or the first of its room), so each restart derives the
 * same one until a compaction writes it down.
 */
function asLogRecord(record: unknown, legacyEpochs: Map<string, string>): LogRecord | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const { id, epoch, text, author, at, room, idempotencyKey } = record as Record<string, unknown>;
  const valid =
    Number.isSafeInteger(id) &&
    (id as number) > 0 &&
    (epoch === undefined || (typeof epoch === 'string' && EPOCH_PATTERN.test(epoch) && epoch !== EMPTY_ROOM_EPOCH)) &&
    typeof text === 'string' &&
    text.length <= TEXT_MAX_CHARS &&
    typeof author === 'string' &&
    author.length <= AUTHOR_MAX_CHARS &&
    Number.isFinite(at) &&
    typeof room === 'string' &&
    ROOM_NAME_PATTERN.test(room) &&
    (idempotencyKey === undefined || (typeof idempotencyKey === 'string' && IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)));
  if (!valid) return undefined;
  let roomEpoch = epoch as string | undefined;
  if (roomEpoch === undefined) {
    roomEpoch = legacyEpochs.get(room);
    // Before epochs, a room that started again began at id 1 (a compacted file starts each room once, with its oldest retained id).
    if (roomEpoch === undefined || id === 1) {
      roomEpoch = legacyEpoch(room, id as number, at as number);
      legacyEpochs.set(room, roomEpoch);
    }
  }
  const message: LogRecord = { id: id as number, epoch: roomEpoch, text, author, at: at as number, room };
  if (idempotencyKey !== undefined) message.idempotencyKey = idempotencyKey as string;
  return message;
}

/**
 * A position line `{"room", "epoch", "lastId"}`, written by compaction after the messages: the
 * room's ids continue after `lastId` even though its newest message was lost to a damaged line.
 */
function asPosition(record: unknown): { room: string; epoch: string; lastId: number } | undefined {
  if (typeof record !== 'object' || record === null || !('lastId' in record)) return undefined;
  const { room, epoch, lastId } = record as Record<string, unknown>;
  const valid =
    typeof room === 'string' && ROOM_NAME_PATTERN.test(room) && typeof epoch === 'string' && EPOCH_PATTERN.test(epoch) && Number.isSafeInteger(lastId);
  return valid ? { room: room as string, epoch: epoch as string, lastId: lastId as number } : undefined;
}

/** An epoch for an incarnation logged before epochs existed: the same for the same first record. */
function legacyEpoch(room: string, id: number, at: number): string {
  const digest = createHash('sha256').update(`${room}\n${id}\n${at}`).digest();
  let epoch = '';
  for (let i = 0; i < 8; i += 1) epoch += (digest[i]! % 36).toString(36);
  return epoch;
}

function* mapIterable<T, R>(items: Iterable<T>, map: (item: T) => R): Generator<R> {
  for (const item of items) yield map(item);
}

function* concatIterables<T>(...lists: Iterable<T>[]): Generator<T> {
  for (const list of lists) yield* list;
}
