import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCursor } from '../../../../src/server/chat/cursor.ts';
import { createRedisStore, StoreUnavailableError } from '../../../../src/server/chat/redis-store.ts';
import { CONTRACT_MAX_MESSAGES_PER_ROOM, describeMessageStoreContract } from '../../../support/message-store-contract.ts';
import { startTestRedis, type TestRedis } from '../../../support/redis-server.ts';

let redis: TestRedis;
let stores = 0;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** A store on the shared test Redis, with keys of its own. */
async function openStore(options: { maxRooms?: number; maxMessagesPerRoom?: number } = {}) {
  const prefix = `test${(stores += 1)}:`;
  const store = createRedisStore({ url: redis.url, prefix, onWarning: () => {}, ...options });
  await until(() => store.read('warm-up').then(() => true, () => false));
  const admin = createClient({ url: redis.url });
  await admin.connect();
  return {
    store,
    prefix,
    admin,
    async resetRoom(room: string) {
      await admin.del([`${prefix}room:${room}`, `${prefix}log:${room}`, `${prefix}keys:${room}`]);
      await admin.zRem(`${prefix}rooms`, room);
    },
    async close() {
      await store.close();
      await admin.close();
    },
  };
}

/** Retries `check` until it holds, bounded: waits for an event we cannot subscribe to (a connection being made). */
async function until(check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

describeMessageStoreContract('Redis store', () => openStore({ maxMessagesPerRoom: CONTRACT_MAX_MESSAGES_PER_ROOM }));

describe('Redis store: several processes, one chat', () => {
  it('wakes waiters of another store (another process) through the one subscription', async () => {
    const first = await openStore();
    // A second store with the same prefix plays the second process.
    const second = createRedisStore({ url: redis.url, prefix: first.prefix, onWarning: () => {} });
    try {
      await until(() => second.read('warm-up').then(() => true, () => false));
      await first.store.append({ room: 'shared', text: 'one', author: 'a' });
      const cursor = parseCursor((await second.read('shared')).cursor);
      const waiters = Array.from({ length: 20 }, () => second.waitForMessagesAfter('shared', cursor, { timeoutMs: 60_000 }));
      await first.store.append({ room: 'shared', text: 'two', author: 'a' });
      const results = await Promise.all(waiters);
      expect(results.every((result) => result.outcome === 'message' && result.messages[0]?.text === 'two')).toBe(true);
      const next = await second.append({ room: 'shared', text: 'three', author: 'b' });
      expect(next.message.id).toBe(3); // one counter for the room, whichever process appends
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('keeps at most the room cap, dropping the least recently active room', async () => {
    const subject = await openStore({ maxRooms: 2 });
    try {
      await subject.store.append({ room: 'r1', text: 'a', author: 'a' });
      const kept = await subject.store.append({ room: 'r2', text: 'b', author: 'a' });
      await subject.store.append({ room: 'r3', text: 'c', author: 'a' });
      expect(await subject.admin.zCard(`${subject.prefix}rooms`)).toBe(2);
      expect((await subject.store.read('r2', parseCursor(`${kept.message.epoch}.1`))).reset).toBe(false);
      // Reading rooms nobody wrote to takes no place: made-up names cannot push real rooms out.
      const read = await subject.store.read('only-read');
      for (const name of ['x1', 'x2', 'x3']) await subject.store.read(name);
      expect(await subject.admin.zCard(`${subject.prefix}rooms`)).toBe(2);
      expect((await subject.store.read('r2', parseCursor(`${kept.message.epoch}.1`))).reset).toBe(false);
      // …and the cursor of such a read (0.0) gets the first message as news once it comes.
      expect(read.cursor).toBe('0.0');
      await subject.store.append({ room: 'only-read', text: 'first', author: 'a' });
      const after = await subject.store.read('only-read', parseCursor(read.cursor));
      expect(after).toMatchObject({ reset: false, gap: false });
      expect(after.messages.map((message) => message.text)).toEqual(['first']);
    } finally {
      await subject.close();
    }
  });
});

describe('Redis store: when Redis is down', () => {
  it('rejects at once, releases held waits, and serves every acknowledged message when Redis returns', async () => {
    const own = await startTestRedis();
    const warnings: string[] = [];
    const store = createRedisStore({ url: own.url, onWarning: (message) => warnings.push(message) });
    try {
      await until(() => store.read('lobby').then(() => true, () => false));
      const acknowledged = await store.append({ room: 'lobby', text: 'kept', author: 'a' });
      const cursor = parseCursor(`${acknowledged.message.epoch}.1`);
      const held = store.waitForMessagesAfter('lobby', cursor, { timeoutMs: 60_000 });
      await own.pause();
      expect(await held).toMatchObject({ outcome: 'timeout', messages: [] }); // released, not stuck
      await expect(store.append({ room: 'lobby', text: 'lost?', author: 'a' })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.read('lobby')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.waitForMessagesAfter('lobby', cursor, { timeoutMs: 60_000 })).rejects.toBeInstanceOf(StoreUnavailableError);
      await own.resume();
      await until(() => store.read('lobby').then(() => true, () => false));
      const after = await store.read('lobby', { epoch: acknowledged.message.epoch, id: 0 });
      expect(after.messages.map((message) => message.text)).toEqual(['kept']);
      expect(after.reset).toBe(false);
      expect((await store.append({ room: 'lobby', text: 'next', author: 'a' })).message.id).toBe(2);
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
