import type { ChatMessage } from './chat-message.ts';
import { EMPTY_ROOM_EPOCH, formatCursor, type Cursor } from './cursor.ts';
import type { ReadResult } from './message-store.ts';

export const MAX_MESSAGES_PER_ROOM = 500;
export const MAX_ROOMS = 1_000;
export const ROOM_IDLE_MS = 24 * 60 * 60 * 1_000;
/** What a client gets on its first load, without a cursor. */
export const INITIAL_MESSAGES = 50;

export interface RoomTableOptions {
  maxRooms?: number;
  maxMessagesPerRoom?: number;
  idleMs?: number;
  now?: () => number;
}

/** A retained message with the idempotency key it was posted with (never sent to clients). */
export interface KeyedMessage {
  message: ChatMessage;
  idempotencyKey?: string;
}

interface Room {
  epoch: string;
  /** Retained messages in id order; ids may skip (a damaged log line), never go back. */
  messages: ChatMessage[];
  lastId: number;
  /** When a message was last written: the only activity a restart can know about (the log records it). */
  writtenAt: number;
  /** Idempotency key → retained message; a key is forgotten with its message. */
  keys: Map<string, ChatMessage>;
  /** Message id → its key, for compaction and for forgetting keys with their message. */
  keyOf: Map<number, string>;
}

/**
 * The messages held in memory, per room incarnation, within fixed bounds: the newest messages of
 * each room, a bounded number of rooms (the least recently written goes first), and no room
 * nobody has written to for `idleMs`. Retention depends only on writes, which the log records
 * with their time, so replaying the log after a restart arrives at the rooms the running server
 * held: reading a room does not keep it.
 */
export function createRoomTable({
  maxRooms = MAX_ROOMS,
  maxMessagesPerRoom = MAX_MESSAGES_PER_ROOM,
  idleMs = ROOM_IDLE_MS,
  now = Date.now,
}: RoomTableOptions = {}) {
  // Map order is insertion order: re-inserting a room on each write keeps the least recently written first.
  const rooms = new Map<string, Room>();
  let messageCount = 0;

  const drop = (name: string) => {
    const room = rooms.get(name);
    if (!room) return;
    messageCount -= room.messages.length;
    rooms.delete(name);
  };

  const forgetOldest = (room: Room) => {
    const old = room.messages.shift()!;
    messageCount -= 1;
    const key = room.keyOf.get(old.id);
    if (key !== undefined) {
      room.keyOf.delete(old.id);
      room.keys.delete(key);
    }
  };

  /** Index of the first retained message with an id above `id`. */
  const firstAfter = (messages: ChatMessage[], id: number) => {
    let low = 0;
    let high = messages.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (messages[middle]!.id <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  return {
    drop,

    /** The newest id of `room`, which its next message follows (0 for a room not held). */
    lastId(name: string): number {
      return rooms.get(name)?.lastId ?? 0;
    },

    /** The current incarnation's epoch, or undefined when the room is not held. */
    epoch(name: string): string | undefined {
      return rooms.get(name)?.epoch;
    },

    /** The retained message posted with `key` in `room`, if any. */
    findByKey(name: string, key: string): ChatMessage | undefined {
      return rooms.get(name)?.keys.get(key);
    },

    // #region retention
    /**
     * Adds a message that is already stored durably. A message of another epoch starts a new
     * incarnation of its room (the old one is dropped). Within an epoch ids go forward; they may
     * skip (a damaged log line), and readers behind the skipped id are told `gap`.
     * @throws Error when the id does not go forward within the room's epoch.
     */
    add(message: ChatMessage, idempotencyKey?: string): void {
      let room = rooms.get(message.room);
      if (room && room.epoch !== message.epoch) {
        drop(message.room);
        room = undefined;
      }
      if (!room) {
        if (rooms.size >= maxRooms) drop(rooms.keys().next().value!); // the least recently written
        room = { epoch: message.epoch, messages: [], lastId: 0, writtenAt: message.at, keys: new Map(), keyOf: new Map() };
      }
      if (message.id <= room.lastId) {
        throw new Error(`message ${message.id} does not follow ${room.lastId} in room "${message.room}"`);
      }
      room.messages.push(message);
      room.lastId = message.id;
      messageCount += 1;
      if (idempotencyKey !== undefined) {
        room.keys.set(idempotencyKey, message);
        room.keyOf.set(message.id, idempotencyKey);
      }
      if (room.messages.length > maxMessagesPerRoom) forgetOldest(room);
      room.writtenAt = message.at;
      rooms.delete(message.room);
      rooms.set(message.room, room);
    },

    /**
     * Makes the room's next id follow `id` at least: a damaged log line may have held a message
     * clients saw, and its id must not be given again within the incarnation.
     */
    skipIdsTo(name: string, epoch: string, id: number): void {
      const room = rooms.get(name);
      if (room && room.epoch === epoch && id > room.lastId) room.lastId = id;
    },

    /** Drops the rooms nobody has written to for `idleMs`. */
    dropIdle(at = now()): void {
      for (const [name, room] of rooms) {
        if (at - room.writtenAt < idleMs) break; // the rest were written more recently
        drop(name);
      }
    },

    /**
     * What a client at `after` gets (see `ReadResult`): without `after`, the latest messages; with
     * a cursor of this incarnation, what follows it (`gap` when some of that is no longer held);
     * with a cursor of another incarnation, a bare integer, or an id this incarnation never
     * reached, `reset` with the retained messages.
     */
    read(name: string, after?: Cursor): ReadResult {
      const room = rooms.get(name);
      if (!room) {
        const cursor = formatCursor({ epoch: EMPTY_ROOM_EPOCH, id: 0 });
        const known = after === undefined || (after.epoch === EMPTY_ROOM_EPOCH && after.id === 0);
        return { messages: [], cursor, gap: false, reset: !known };
      }
      const { messages, lastId, epoch } = room;
      const cursor = formatCursor({ epoch, id: lastId });
      if (after === undefined) return { messages: messages.slice(-INITIAL_MESSAGES), cursor, gap: false, reset: false };
      // The client saw the room before it had any message: everything retained follows its cursor.
      const fromEmpty = after.epoch === EMPTY_ROOM_EPOCH && after.id === 0;
      if (!fromEmpty && (after.epoch !== epoch || after.id > lastId)) {
        return { messages: messages.slice(), cursor, gap: false, reset: true };
      }
      const newer = messages.slice(firstAfter(messages, after.id));
      // Every id after the cursor is either returned or no longer held (dropped by retention, or lost).
      return { messages: newer, cursor, gap: newer.length !== lastId - after.id, reset: false };
    },
    // #endregion retention

    /**
     * Every retained message with its key, room by room (least recently written first), in id
     * order: what a compacted log holds. A copy taken now, so later writes cannot change it.
     */
    snapshot(): KeyedMessage[] {
      const records: KeyedMessage[] = [];
      for (const room of rooms.values()) {
        for (const message of room.messages) records.push({ message, idempotencyKey: room.keyOf.get(message.id) });
      }
      return records;
    },

    /**
     * Rooms whose last id is above their newest retained message (a damaged line held it): a
     * compacted log keeps these positions, or a restart would give those ids again.
     */
    positions(): Array<{ room: string; epoch: string; lastId: number }> {
      const ahead = [];
      for (const [name, room] of rooms) {
        const newest = room.messages.at(-1)?.id ?? 0;
        if (room.lastId > newest) ahead.push({ room: name, epoch: room.epoch, lastId: room.lastId });
      }
      return ahead;
    },

    /** Forgets every room: before the log file is replayed again. */
    clear(): void {
      rooms.clear();
      messageCount = 0;
    },

    get roomCount() {
      return rooms.size;
    },
    get messageCount() {
      return messageCount;
    },
    get highestId() {
      let highest = 0;
      for (const room of rooms.values()) highest = Math.max(highest, room.lastId);
      return highest;
    },
  };
}

export type RoomTable = ReturnType<typeof createRoomTable>;
