import { describe, expect, it } from 'vitest';
import type { MessageStore } from '../../../../src/server/chat/message-store.ts';
import { bridgeLegacyStore, LEGACY_EPOCH } from '../../../../src/server/socket/legacy-store-bridge.ts';
import { createFakeMessageStore } from '../../../support/fake-message-store.ts';

/** A store of the older shape: whole-number cursors, `append` answering the bare message. */
function legacyStore() {
  const messages: { id: number; text: string; author: string; at: number; room: string }[] = [];
  const calls: unknown[] = [];
  const readAfter = (after = 0) => ({ messages: messages.filter((m) => m.id > after), cursor: messages.length, gap: false });
  return {
    calls,
    async append(draft: { room: string; text: string; author: string }) {
      calls.push(['append', draft]);
      const message = { id: messages.length + 1, text: draft.text, author: draft.author, at: 0, room: draft.room };
      messages.push(message);
      return message;
    },
    async read(_room: string, after?: number) {
      calls.push(['read', after]);
      return readAfter(after);
    },
    async waitForMessagesAfter(_room: string, after: number) {
      calls.push(['wait', after]);
      return { ...readAfter(after), outcome: 'message' as const };
    },
    counts: { rooms: 1, messages: 0, waiters: 0, lastId: 0 },
    flush: async () => {},
    close: async () => {},
  };
}

describe('bridgeLegacyStore', () => {
  it('translates whole-number cursors to cursors of one fixed epoch, and back', async () => {
    const legacy = legacyStore();
    const store = bridgeLegacyStore(legacy as unknown as MessageStore);
    const { message, repeated } = await store.append({ room: 'r', text: 'hi', author: 'a', idempotencyKey: 'k' });
    expect(repeated).toBe(false);
    expect(message).toMatchObject({ id: 1, epoch: LEGACY_EPOCH });
    expect(legacy.calls).toContainEqual(['append', { room: 'r', text: 'hi', author: 'a' }]); // no key for a store that knows none
    expect(await store.read('r')).toMatchObject({ cursor: `${LEGACY_EPOCH}.1`, reset: false });
    await store.waitForMessagesAfter('r', { epoch: LEGACY_EPOCH, id: 0 }, { timeoutMs: 10 });
    expect(legacy.calls.at(-1)).toEqual(['wait', 0]);
  });

  it('answers a cursor of another epoch with a reset to the latest messages', async () => {
    const store = bridgeLegacyStore(legacyStore() as unknown as MessageStore);
    await store.append({ room: 'r', text: 'hi', author: 'a' });
    expect(await store.read('r', { epoch: 'other', id: 5 })).toMatchObject({ reset: true, messages: [{ text: 'hi' }] });
  });

  it('steps aside for a store that already answers string cursors', async () => {
    const inner = createFakeMessageStore();
    const store = bridgeLegacyStore(inner);
    const { message } = await store.append({ room: 'r', text: 'x', author: 'a', idempotencyKey: 'k' });
    expect(message.epoch).not.toBe(LEGACY_EPOCH);
    expect((await store.append({ room: 'r', text: 'x', author: 'a', idempotencyKey: 'k' })).repeated).toBe(true);
  });
});
