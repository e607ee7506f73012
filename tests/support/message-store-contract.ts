import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCursor, parseCursor, type Cursor } from '../../src/server/chat/cursor.ts';
import { IdempotencyConflictError, type MessageStore } from '../../src/server/chat/message-store.ts';

/** What a store under test offers the contract suite. */
export interface ContractSetup {
  store: MessageStore;
  /** Ends the room's current incarnation (as eviction, an idle drop or a lost log would): its next message starts a new epoch at id 1. */
  resetRoom(room: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The behaviour every `MessageStore` owes its transports (the cursor contract of `cursor.ts` and
 * the store interface of `message-store.ts`): append, read after a cursor, wait, timeout, abort,
 * gap, epoch reset, retention and idempotency. `setup` gives a fresh, empty store per test whose
 * rooms retain at most {@link CONTRACT_MAX_MESSAGES_PER_ROOM} messages.
 */
export const CONTRACT_MAX_MESSAGES_PER_ROOM = 5;

export function describeMessageStoreContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`MessageStore contract: ${name}`, () => {
    let store: MessageStore;
    let context: ContractSetup;
    let roomCounter = 0;
    beforeEach(async () => {
      context = await setup();
      store = context.store;
    });
    afterEach(async () => {
      await context.close();
    });
    /** A room name of its own per test: stores shared between tests never mix them. */
    const freshRoom = () => `contract-${process.pid}-${Date.now().toString(36)}-${(roomCounter += 1)}`;
    const post = (room: string, text: string, idempotencyKey?: string) =>
      store.append(idempotencyKey === undefined ? { room, text, author: 'tester' } : { room, text, author: 'tester', idempotencyKey });
    const cursorOf = (raw: string): Cursor => parseCursor(raw);
    const texts = (messages: { text: string }[]) => messages.map((message) => message.text);

    it('numbers a room from 1 within one epoch, and gives each message its epoch', async () => {
      const room = freshRoom();
      const first = await post(room, 'one');
      const second = await post(room, 'two');
      expect(first).toMatchObject({ repeated: false, message: { id: 1, room, text: 'one', author: 'tester' } });
      expect(second.message.id).toBe(2);
      expect(second.message.epoch).toBe(first.message.epoch);
      expect(first.message.epoch).toMatch(/^[a-z0-9]{1,16}$/);
      const other = await post(freshRoom(), 'elsewhere');
      expect(other.message.id).toBe(1);
    });

    it('answers the initial load with the latest messages and a cursor of the form EPOCH.ID', async () => {
      const room = freshRoom();
      const empty = await store.read(room);
      expect(empty).toMatchObject({ messages: [], gap: false, reset: false });
      expect(() => parseCursor(empty.cursor)).not.toThrow();
      const { message } = await post(room, 'one');
      await post(room, 'two');
      const initial = await store.read(room);
      expect(texts(initial.messages)).toEqual(['one', 'two']);
      expect(initial.cursor).toBe(formatCursor({ epoch: message.epoch, id: 2 }));
      expect(initial).toMatchObject({ gap: false, reset: false });
    });

    it('reads only what follows a cursor of the current incarnation', async () => {
      const room = freshRoom();
      const { message } = await post(room, 'one');
      await post(room, 'two');
      await post(room, 'three');
      const after = await store.read(room, { epoch: message.epoch, id: 1 });
      expect(texts(after.messages)).toEqual(['two', 'three']);
      expect(after).toMatchObject({ gap: false, reset: false });
      const none = await store.read(room, cursorOf(after.cursor));
      expect(none).toMatchObject({ messages: [], cursor: after.cursor, gap: false, reset: false });
    });

    it('gives the messages of a room that was empty to a client whose cursor came from the empty room, without a reset', async () => {
      const room = freshRoom();
      const empty = await store.read(room);
      await post(room, 'first');
      const news = await store.read(room, cursorOf(empty.cursor));
      expect(texts(news.messages)).toEqual(['first']);
      expect(news).toMatchObject({ gap: false, reset: false });
    });

    it('waits for the next message of the room, and answers at once when there is news already', async () => {
      const room = freshRoom();
      const { message } = await post(room, 'one');
      const at = { epoch: message.epoch, id: 1 };
      await expect(store.waitForMessagesAfter(room, { ...at, id: 0 }, { timeoutMs: 60_000 })).resolves.toMatchObject({
        outcome: 'message',
        messages: [{ id: 1 }],
      });
      const waiting = store.waitForMessagesAfter(room, at, { timeoutMs: 60_000 });
      await post(freshRoom(), 'another room');
      await post(room, 'two');
      const news = await waiting;
      expect(news).toMatchObject({ outcome: 'message', gap: false, reset: false, messages: [{ id: 2, text: 'two' }] });
      expect(news.cursor).toBe(formatCursor({ epoch: message.epoch, id: 2 }));
    });

    it('wakes a waiter of a room that was empty with its first message', async () => {
      const room = freshRoom();
      const empty = await store.read(room);
      const waiting = store.waitForMessagesAfter(room, cursorOf(empty.cursor), { timeoutMs: 60_000 });
      await post(room, 'first');
      await expect(waiting).resolves.toMatchObject({ outcome: 'message', reset: false, messages: [{ id: 1, text: 'first' }] });
    });

    it('answers empty with the same cursor on timeout, and on abort', async () => {
      const room = freshRoom();
      const { message } = await post(room, 'one');
      const at = { epoch: message.epoch, id: 1 };
      await expect(store.waitForMessagesAfter(room, at, { timeoutMs: 1 })).resolves.toMatchObject({
        outcome: 'timeout',
        messages: [],
        cursor: formatCursor(at),
        gap: false,
        reset: false,
      });
      const client = new AbortController();
      const waiting = store.waitForMessagesAfter(room, at, { timeoutMs: 60_000, signal: client.signal });
      client.abort();
      await expect(waiting).resolves.toMatchObject({ outcome: 'aborted', messages: [], cursor: formatCursor(at) });
      const aborted = new AbortController();
      aborted.abort();
      await expect(store.waitForMessagesAfter(room, at, { timeoutMs: 60_000, signal: aborted.signal })).resolves.toMatchObject({
        outcome: 'aborted',
      });
    });

    it(`keeps the newest ${CONTRACT_MAX_MESSAGES_PER_ROOM} messages of a room and reports a gap to a cursor older than them`, async () => {
      const room = freshRoom();
      let epoch = '';
      for (let i = 1; i <= CONTRACT_MAX_MESSAGES_PER_ROOM + 4; i++) epoch = (await post(room, `m${i}`)).message.epoch;
      const stale = await store.read(room, { epoch, id: 2 });
      expect(stale).toMatchObject({ gap: true, reset: false });
      expect(stale.messages.map((message) => message.id)).toEqual([5, 6, 7, 8, 9]);
      const justInTime = await store.read(room, { epoch, id: 4 });
      expect(justInTime).toMatchObject({ gap: false, reset: false });
      await expect(store.waitForMessagesAfter(room, { epoch, id: 1 }, { timeoutMs: 60_000 })).resolves.toMatchObject({
        outcome: 'message',
        gap: true,
      });
    });

    it('answers a cursor of another incarnation, a bare integer and an id never reached with a reset', async () => {
      const room = freshRoom();
      const old = await post(room, 'old one');
      await post(room, 'old two');
      await post(room, 'old three');
      await context.resetRoom(room);
      const fresh = await post(room, 'new one');
      expect(fresh.message.id).toBe(1);
      expect(fresh.message.epoch).not.toBe(old.message.epoch);
      for (let i = 2; i <= 5; i++) await post(room, `new ${i}`);

      const oldCursor = { epoch: old.message.epoch, id: 3 };
      const reset = await store.read(room, oldCursor);
      expect(reset).toMatchObject({ reset: true, gap: false });
      expect(texts(reset.messages)).toEqual(['new one', 'new 2', 'new 3', 'new 4', 'new 5']);
      expect(reset.cursor).toBe(formatCursor({ epoch: fresh.message.epoch, id: 5 }));
      await expect(store.read(room, parseCursor('3'))).resolves.toMatchObject({ reset: true });
      await expect(store.read(room, { epoch: fresh.message.epoch, id: 99 })).resolves.toMatchObject({ reset: true });
      await expect(store.waitForMessagesAfter(room, oldCursor, { timeoutMs: 60_000 })).resolves.toMatchObject({
        outcome: 'message',
        reset: true,
      });
    });

    it('wakes a waiter with a reset when its room starts a new incarnation', async () => {
      const room = freshRoom();
      const { message } = await post(room, 'old');
      const waiting = store.waitForMessagesAfter(room, { epoch: message.epoch, id: 1 }, { timeoutMs: 60_000 });
      await context.resetRoom(room);
      await post(room, 'new');
      const news = await waiting;
      expect(news.outcome === 'message' && news.reset).toBe(true);
      // The waiter may be woken between the reset and the new post (a notification of the old
      // message that arrives late, on a shared store): then its answer is the reset with the new
      // incarnation still empty, and its cursor leads to the new message. Either way it gets 'new'.
      const after = news.messages.length ? [] : (await store.read(room, parseCursor(news.cursor))).messages;
      expect(texts([...news.messages, ...after])).toEqual(['new']);
    });

    it('stores a post once per idempotency key: a repeat answers the original, another text is a conflict', async () => {
      const room = freshRoom();
      let admitted = 0;
      const admit = () => void (admitted += 1);
      const first = await store.append({ room, text: 'hello', author: 'tester', idempotencyKey: 'key-1' }, { admit });
      const again = await store.append({ room, text: 'hello', author: 'tester', idempotencyKey: 'key-1' }, { admit });
      expect(first.repeated).toBe(false);
      expect(again).toEqual({ message: first.message, repeated: true });
      expect(admitted).toBe(1); // a repeat spends no rate-limit token
      await expect(store.append({ room, text: 'other', author: 'tester', idempotencyKey: 'key-1' }, { admit })).rejects.toBeInstanceOf(
        IdempotencyConflictError,
      );
      // Keys are scoped to the room.
      await expect(post(freshRoom(), 'hello', 'key-1')).resolves.toMatchObject({ repeated: false });
      expect((await store.read(room)).messages).toHaveLength(1);
      expect(JSON.stringify((await store.read(room)).messages)).not.toContain('key-1'); // never sent to clients
    });

    it('stores concurrent posts with the same key once', async () => {
      const room = freshRoom();
      const results = await Promise.all([post(room, 'twice', 'same'), post(room, 'twice', 'same')]);
      expect(results.filter((result) => !result.repeated)).toHaveLength(1);
      expect(results[0]!.message).toEqual(results[1]!.message);
      expect((await store.read(room)).messages).toHaveLength(1);
    });

    it('stores nothing when admit refuses the post', async () => {
      const room = freshRoom();
      const refusal = new Error('over the rate limit');
      await expect(
        store.append({ room, text: 'refused', author: 'tester' }, {
          admit: () => {
            throw refusal;
          },
        }),
      ).rejects.toBe(refusal);
      expect((await store.read(room)).messages).toEqual([]);
    });

  });
}
