import { describe, expect, it } from 'vitest';
import { createConnectionSlots, WIDGET_CONNECTION_SLOTS } from '../../../../src/client/tabs/connection-slots.ts';
import { HELD_CONNECTIONS_TARGET } from '../../../../src/client/tabs/held-connections.ts';
import { createFakeLocks } from '../../../support/fake-locks.ts';

describe('connection slots (a browser-wide budget on Web Locks)', () => {
  it('leaves one connection of the budget to the tabs’ shared chat poll', () => {
    expect(WIDGET_CONNECTION_SLOTS).toBe(HELD_CONNECTIONS_TARGET - 1);
  });

  it('grants the free slots at once, queues the next request, and hands it the first slot given back', async () => {
    const locks = createFakeLocks();
    const slots = createConnectionSlots({ count: 2, locks });
    const first = await slots.acquire(new AbortController().signal);
    await slots.acquire(new AbortController().signal);
    let queued = false;
    let third: (() => void) | undefined;
    const waiting = slots.acquire(new AbortController().signal, () => (queued = true)).then((release) => (third = release));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(queued).toBe(true);
    expect(third).toBeUndefined();
    first();
    first(); // a second call gives nothing back twice
    await waiting;
    expect(third).toBeTypeOf('function');
    expect(locks.held.size).toBe(2);
  });

  it('withdraws a queued request when its signal aborts, and keeps no slot for it', async () => {
    const locks = createFakeLocks();
    const slots = createConnectionSlots({ count: 1, locks });
    const holder = await slots.acquire(new AbortController().signal);
    const leaving = new AbortController();
    const waiting = slots.acquire(leaving.signal);
    await new Promise((resolve) => setTimeout(resolve, 0));
    leaving.abort();
    await expect(waiting).rejects.toBeDefined();
    holder();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(locks.held.size).toBe(0);
  });

  it('is no budget at all where Web Locks are missing (not a secure context)', async () => {
    const slots = createConnectionSlots({ count: 1, locks: null });
    await slots.acquire(new AbortController().signal);
    await slots.acquire(new AbortController().signal); // granted too
  });
});
