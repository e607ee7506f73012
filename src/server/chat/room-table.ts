import type { ChatMessage } from './chat-message.ts';
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
  /** Rooms somebody is waiting in are evicted only when every room has a waiter. */
  isBusy?: (room: string) => boolean;
  now?: () => number;
}

interface Room {
  messages: ChatMessage[];
  lastId: number;
  activeAt: number;
}

/**
 * The messages held in memory, per room, within fixed bounds: the newest messages of each
 * room, a bounded number of rooms (the least recently active goes first), and no room
 * that has been idle for a day. Ids in a room are consecutive, so finding the messages
 * after a cursor is one subtraction.
 */
export function createRoomTable({
  maxRooms = MAX_ROOMS,
  maxMessagesPerRoom = MAX_MESSAGES_PER_ROOM,
  idleMs = ROOM_IDLE_MS,
  isBusy = () => false,
  now = Date.now,
}: RoomTableOptions = {}) {
  // Map order is insertion order: re-inserting a room on activity keeps the least active first.
  const rooms = new Map<string, Room>();
  let messageCount = 0;

  const touch = (name: string, room: Room, at: number) => {
    room.activeAt = at;
    rooms.delete(name);
    rooms.set(name, room);
  };

  const drop = (name: string) => {
    const room = rooms.get(name);
    if (!room) return;
    messageCount -= room.messages.length;
    rooms.delete(name);
  };

  const evictOne = () => {
    let victim: string | undefined;
    for (const name of rooms.keys()) {
      if (!isBusy(name)) {
        victim = name;
        break;
      }
    }
    drop(victim ?? rooms.keys().next().value!);
  };

  return {
    drop,

    /** The newest id of `room`, which its next message follows (0 for a room not held). */
    lastId(name: string): number {
      return rooms.get(name)?.lastId ?? 0;
    },

    // #region retention
    /** Adds a message that is already stored durably; ids of a room must follow each other. */
    add(message: ChatMessage, activeAt = now()): void {
      let room = rooms.get(message.room);
      if (!room) {
        if (rooms.size >= maxRooms) evictOne();
        room = { messages: [], lastId: message.id - 1, activeAt };
      }
      if (message.id !== room.lastId + 1) {
        throw new Error(`message ${message.id} does not follow ${room.lastId} in room "${message.room}"`);
      }
      room.messages.push(message);
      room.lastId = message.id;
      messageCount += 1;
      if (room.messages.length > maxMessagesPerRoom) {
        room.messages.shift();
        messageCount -= 1;
      }
      touch(message.room, room, activeAt);
    },

    /** Drops the rooms nobody has written to or read from for `idleMs`. */
    dropIdle(at = now()): void {
      for (const [name, room] of rooms) {
        if (at - room.activeAt < idleMs) break; // the rest were active more recently
        drop(name);
      }
    },

    read(name: string, after?: number): ReadResult {
      const room = rooms.get(name);
      if (!room) return { messages: [], cursor: 0, gap: after !== undefined && after > 0 };
      touch(name, room, now());
      const { messages, lastId } = room;
      // A cursor from the future: the room was dropped and started again. Start the client afresh.
      if (after === undefined || after > lastId) {
        return { messages: messages.slice(-INITIAL_MESSAGES), cursor: lastId, gap: after !== undefined };
      }
      const firstId = lastId - messages.length + 1;
      return {
        messages: messages.slice(Math.max(0, after - firstId + 1)),
        cursor: lastId,
        gap: after < firstId - 1, // some messages after the cursor are no longer retained
      };
    },
    // #endregion retention

    /**
     * Every retained message, room by room, in id order: what a compacted log file holds.
     * A copy taken now: reads reorder the rooms while the file is written, and iterating
     * the live table would meet a re-inserted room again (written twice, or without end).
     */
    snapshot(): ChatMessage[] {
      const messages: ChatMessage[] = [];
      for (const room of rooms.values()) for (const message of room.messages) messages.push(message);
      return messages;
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
