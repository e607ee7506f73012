import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCursor } from '../../src/server/chat/cursor.ts';
import { IdempotencyConflictError, type MessageStore } from '../../src/server/chat/message-store.ts';
import { MAX_MESSAGES_PER_ROOM } from '../../src/server/chat/room-table.ts';

export interface StoreUnderTest {
  store: MessageStore;
  /** Makes the room lose its history, as eviction or a lost log would: its next use is a new incarnation. */
  resetRoom(room: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The behaviour every `MessageStore` promises (see `message-store.ts` and `cursor.ts`), run
 * against one store: append, read after a cursor, wait, timeout, abort, gap, epoch reset,
 * retention and idempotency. Each test uses rooms of its own.
 */
export function describeMessageStoreContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`${name}: the MessageStore contract`, () => {
    let subject: StoreUnderTest;
    let store: MessageStore;
    let rooms = 0;
    const freshRoom = () => `contract-${(rooms += 1)}-${Math.random().toString(36).slice(2, 8)}`;
    const draft = (room: string, text: string, idempotencyKey?: string) => ({ room, text, author: 'tester', idempotencyKey });
    const texts = (messages: { text: string }[]) => messages.map((message) => message.text);

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('numbers each room from 1 within one epoch, in the order messages are accepted', async () => {
      const room = freshRoom();
      const first = await store.append(draft(room, 'a'));
      const second = await store.append(draft(room, 'b'));
      const other = await store.append(draft(freshRoom(), 'x'));
      expect([first.message.id, second.message.id, other.message.id]).toEqual([1, 2, 1]);
      expect(first.repeated).toBe(false);
      expect(second.message.epoch).toBe(first.message.epoch);
      expect(first.message).toMatchObject({ room, text: 'a', author: 'tester', at: expect.any(Number) });
    });

    it('reads the latest messages without a cursor, and only newer ones after a cursor', async () => {
      const room = freshRoom();
      for (const text of ['a', 'b', 'c']) await store.append(draft(room, text));
      const initial = await store.read(room);
      expect(texts(initial.messages)).toEqual(['a', 'b', 'c']);
      expect(initial).toMatchObject({ gap: false, reset: false });
      const cursor = parseCursor(initial.cursor);
      expect(cursor.id).toBe(3);
      const after = await store.read(room, { epoch: cursor.epoch, id: 1 });
      expect(texts(after.messages)).toEqual(['b', 'c']);
      expect(after.cursor).toBe(initial.cursor);
      const none = await store.read(room, cursor);
      expect(none).toMatchObject({ messages: [], cursor: initial.cursor, gap: false, reset: false });
    });

    it('answers a waiter with the next message of its room', async () => {
      const room = freshRoom();
      await store.append(draft(room, 'before'));
      const cursor = parseCursor((await store.read(room)).cursor);
      const waiting = store.waitForMessagesAfter(room, cursor, { timeoutMs: 60_000 });
      await store.append(draft(freshRoom(), 'elsewhere')); // another room's news wakes nobody here
      await store.append(draft(room, 'news'));
      const result = await waiting;
      expect(result.outcome).toBe('message');
      expect(texts(result.messages)).toEqual(['news']);
      expect(parseCursor(result.cursor)).toEqual({ epoch: cursor.epoch, id: 2 });
    });

    it('answers at once when news is already there', async () => {
      const room = freshRoom();
      await store.append(draft(room, 'one'));
      const { cursor } = await store.read(room);
      await store.append(draft(room, 'two'));
      const result = await store.waitForMessagesAfter(room, parseCursor(cursor), { timeoutMs: 60_000 });
      expect(result).toMatchObject({ outcome: 'message' });
      expect(texts(result.messages)).toEqual(['two']);
    });

    it('ends a wait empty at its timeout, keeping the cursor', async () => {
      const room = freshRoom();
      await store.append(draft(room, 'only'));
      const { cursor } = await store.read(room);
      const result = await store.waitForMessagesAfter(room, parseCursor(cursor), { timeoutMs: 20 });
      expect(result).toMatchObject({ outcome: 'timeout', messages: [], cursor, gap: false });
    });

    it('ends a wait empty when its signal aborts, and forgets the waiter', async () => {
      const room = freshRoom();
      await store.append(draft(room, 'only'));
      const { cursor } = await store.read(room);
      const controller = new AbortController();
      const waiting = store.waitForMessagesAfter(room, parseCursor(cursor), { timeoutMs: 60_000, signal: controller.signal });
      controller.abort();
      expect(await waiting).toMatchObject({ outcome: 'aborted', messages: [], cursor });
      expect(store.counts.waiters).toBe(0);
    });

    it('answers a cursor of another incarnation with a reset and the current history', async () => {
      const room = freshRoom();
      await store.append(draft(room, 'old'));
      const old = parseCursor((await store.read(room)).cursor);
      await subject.resetRoom(room);
      const fresh = await store.append(draft(room, 'new'));
      expect(fresh.message.id).toBe(1);
      expect(fresh.message.epoch).not.toBe(old.epoch);
      const result = await store.read(room, old);
      expect(result.reset).toBe(true);
      expect(texts(result.messages)).toEqual(['new']);
      expect(parseCursor(result.cursor)).toEqual({ epoch: fresh.message.epoch, id: 1 });
      const legacy = await store.read(room, { epoch: '', id: 1 }); // a bare integer from an older client
      expect(legacy.reset).toBe(true);
    });

    it('wakes a waiter whose room was reset meanwhile with a reset', async () => {
      const room = freshRoom();
      await store.append(draft(room, 'old'));
      const old = parseCursor((await store.read(room)).cursor);
      const waiting = store.waitForMessagesAfter(room, old, { timeoutMs: 60_000 });
      await subject.resetRoom(room);
      await store.append(draft(room, 'new'));
      const result = await waiting;
      expect(result).toMatchObject({ outcome: 'message', reset: true });
      expect(texts(result.messages)).toEqual(['new']);
    });

    it(`keeps the newest ${MAX_MESSAGES_PER_ROOM} messages of a room and reports a gap to a cursor behind them`, async () => {
      const room = freshRoom();
      const first = await store.append(draft(room, 'm1'));
      const total = MAX_MESSAGES_PER_ROOM + 3;
      for (let next = 2; next <= total; next += 50) {
        const batch: Promise<unknown>[] = [];
        for (let n = next; n < Math.min(next + 50, total + 1); n += 1) batch.push(store.append(draft(room, `m${n}`)));
        await Promise.all(batch);
      }
      const epoch = first.message.epoch;
      const behind = await store.read(room, { epoch, id: 1 });
      expect(behind.gap).toBe(true);
      expect(behind.messages).toHaveLength(MAX_MESSAGES_PER_ROOM);
      expect(behind.messages[0]!.id).toBe(total - MAX_MESSAGES_PER_ROOM + 1);
      expect(behind.messages.at(-1)!.id).toBe(total);
      const withinRetention = await store.read(room, { epoch, id: total - 2 });
      expect(withinRetention.gap).toBe(false);
      expect(withinRetention.messages.map((message) => message.id)).toEqual([total - 1, total]);
      const ids = behind.messages.map((message) => message.id);
      expect(ids).toEqual(ids.map((_, index) => ids[0]! + index)); // consecutive, in order
    });

    it('stores a message once per idempotency key: a repeat answers the original, a different text is a conflict', async () => {
      const room = freshRoom();
      const original = await store.append(draft(room, 'hello', 'key-1'));
      const repeat = await store.append(draft(room, 'hello', 'key-1'));
      expect(repeat.repeated).toBe(true);
      expect(repeat.message).toEqual(original.message);
      await expect(store.append(draft(room, 'other text', 'key-1'))).rejects.toBeInstanceOf(IdempotencyConflictError);
      const elsewhere = await store.append(draft(freshRoom(), 'hello', 'key-1')); // keys are per room
      expect(elsewhere.repeated).toBe(false);
      expect(texts((await store.read(room)).messages)).toEqual(['hello']);
    });
  });
}
