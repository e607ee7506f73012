import type { ChatDraft, ChatMessage } from '../../src/server/chat/chat-message.ts';
import { formatCursor, newEpoch, type Cursor } from '../../src/server/chat/cursor.ts';
import {
  IdempotencyConflictError,
  type AppendOptions,
  type AppendResult,
  type MessageStore,
  type ReadResult,
  type WaitOptions,
  type WaitResult,
} from '../../src/server/chat/message-store.ts';

/**
 * A small in-memory `MessageStore` that follows the interface exactly (epochs, resets, gaps,
 * idempotency keys, waiters), for tests of transports. It outlives the servers built on it, so a
 * test can "restart" a server and keep its messages. `resetRoom` starts a new incarnation.
 */
export interface FakeMessageStore extends MessageStore {
  resetRoom(room: string): void;
  /** Drops the oldest retained messages of a room (as retention would): clients behind them see a gap. */
  forget(room: string, count: number): void;
}

interface Room {
  epoch: string;
  nextId: number;
  messages: ChatMessage[];
  keys: Map<string, ChatMessage>;
  /** The oldest id still retained minus one. */
  droppedThrough: number;
}

export function createFakeMessageStore({ latest = 50 } = {}): FakeMessageStore {
  const rooms = new Map<string, Room>();
  const waiters = new Set<{ room: string; wake: () => void }>();
  let closed = false;

  const roomOf = (name: string): Room => {
    let room = rooms.get(name);
    if (!room) {
      room = { epoch: newEpoch(), nextId: 1, messages: [], keys: new Map(), droppedThrough: 0 };
      rooms.set(name, room);
    }
    return room;
  };

  const readNow = (name: string, after?: Cursor): ReadResult => {
    const room = roomOf(name);
    const cursor = formatCursor({ epoch: room.epoch, id: room.nextId - 1 });
    if (after === undefined) return { messages: room.messages.slice(-latest), cursor, gap: false, reset: false };
    if (after.epoch !== room.epoch || after.id > room.nextId - 1) {
      return { messages: [...room.messages], cursor, gap: false, reset: true };
    }
    return { messages: room.messages.filter((m) => m.id > after.id), cursor, gap: after.id < room.droppedThrough, reset: false };
  };

  const wakeRoom = (name: string) => {
    for (const waiter of [...waiters]) if (waiter.room === name) waiter.wake();
  };

  return {
    async append(draft: ChatDraft, { admit }: AppendOptions = {}): Promise<AppendResult> {
      if (closed) throw new Error('the store is closed');
      const room = roomOf(draft.room);
      if (draft.idempotencyKey !== undefined) {
        const earlier = room.keys.get(draft.idempotencyKey);
        if (earlier) {
          if (earlier.text !== draft.text) throw new IdempotencyConflictError(draft.idempotencyKey);
          return { message: earlier, repeated: true };
        }
      }
      admit?.(); // only a new message is admitted (a rate limit throws here)
      const message: ChatMessage = { id: room.nextId, epoch: room.epoch, text: draft.text, author: draft.author, at: Date.now(), room: draft.room };
      room.nextId += 1;
      room.messages.push(message);
      if (draft.idempotencyKey !== undefined) room.keys.set(draft.idempotencyKey, message);
      wakeRoom(draft.room);
      return { message, repeated: false };
    },
    async read(room, after) {
      return readNow(room, after);
    },
    waitForMessagesAfter(room: string, after: Cursor, { timeoutMs, signal }: WaitOptions): Promise<WaitResult> {
      const now = readNow(room, after);
      if (now.messages.length > 0 || now.reset || now.gap) return Promise.resolve({ ...now, outcome: 'message' });
      return new Promise((resolve) => {
        const settle = (outcome: WaitResult['outcome']) => {
          waiters.delete(waiter);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ ...readNow(room, after), outcome });
        };
        const waiter = { room, wake: () => settle('message') };
        const onAbort = () => settle('aborted');
        const timer = setTimeout(() => settle('timeout'), timeoutMs);
        waiters.add(waiter);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    get counts() {
      let messages = 0;
      let lastId = 0;
      for (const room of rooms.values()) {
        messages += room.messages.length;
        lastId = Math.max(lastId, room.nextId - 1);
      }
      return { rooms: rooms.size, messages, waiters: waiters.size, lastId };
    },
    async flush() {},
    async close() {
      closed = true;
    },
    resetRoom(name) {
      rooms.delete(name);
      roomOf(name);
      wakeRoom(name);
    },
    forget(name, count) {
      const room = roomOf(name);
      const dropped = room.messages.splice(0, count);
      if (dropped.length) room.droppedThrough = dropped.at(-1)!.id;
      wakeRoom(name);
    },
  };
}
