import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cursor } from '../../../../src/server/chat/cursor.ts';
import type { WaitOutcome } from '../../../../src/server/chat/message-store.ts';
import { createWaiterRegistry } from '../../../../src/server/chat/waiter-registry.ts';

/** A registry whose answers are just the outcomes. */
const outcomeRegistry = (endSignal?: AbortSignal) =>
  createWaiterRegistry<WaitOutcome | `message after ${number}`>({ quiet: (outcome) => outcome, endSignal });
const news = (after: Cursor) => `message after ${after.id}` as const;
const at = (id: number): Cursor => ({ epoch: 'e1', id });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createWaiterRegistry', () => {
  it('settles a waiter once with "message" on news, and leaves nothing behind', async () => {
    const registry = outcomeRegistry();
    const client = new AbortController();
    const outcome = registry.waitForNews('lobby', at(0), { timeoutMs: 25_000, signal: client.signal });
    expect(registry.size).toBe(1);
    expect(registry.has('lobby')).toBe(true);

    expect(registry.notify('lobby', news)).toBe(1);
    client.abort(); // too late: already settled
    await vi.advanceTimersByTimeAsync(30_000); // and the timeout never fires
    await expect(outcome).resolves.toBe('message after 0');
    expect(registry.size).toBe(0);
    expect(registry.has('lobby')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
  });

  it('settles with "timeout" when nothing happens, and a later message finds no one', async () => {
    const registry = outcomeRegistry();
    const client = new AbortController();
    const outcome = registry.waitForNews('lobby', at(0), { timeoutMs: 25_000, signal: client.signal });
    await vi.advanceTimersByTimeAsync(24_999);
    expect(registry.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('timeout');
    expect(registry.notify('lobby', news)).toBe(0);
    expect(registry.size).toBe(0);
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
  });

  it('settles with "aborted" when the client leaves, clearing its timer', async () => {
    const registry = outcomeRegistry();
    const client = new AbortController();
    const outcome = registry.waitForNews('lobby', at(0), { timeoutMs: 25_000, signal: client.signal });
    expect(vi.getTimerCount()).toBe(1);
    client.abort();
    await expect(outcome).resolves.toBe('aborted');
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(registry.notify('lobby', news)).toBe(0);
  });

  it('does not register a waiter whose client has already gone', async () => {
    const registry = outcomeRegistry();
    await expect(registry.waitForNews('lobby', at(0), { timeoutMs: 1_000, signal: AbortSignal.abort() })).resolves.toBe('aborted');
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes only the waiters of the room that has news', async () => {
    const registry = outcomeRegistry();
    const inLobby = [1, 2, 3].map(() => registry.waitForNews('lobby', at(0), { timeoutMs: 25_000 }));
    const elsewhere = registry.waitForNews('room-b', at(0), { timeoutMs: 25_000 });
    expect(registry.notify('lobby', news)).toBe(3);
    await expect(Promise.all(inLobby)).resolves.toEqual(['message after 0', 'message after 0', 'message after 0']);
    expect(registry.size).toBe(1);
    await vi.advanceTimersByTimeAsync(25_000);
    await expect(elsewhere).resolves.toBe('timeout');
  });

  it('computes one answer per cursor and shares it among the waiters at that cursor', async () => {
    const registry = createWaiterRegistry<{ after: number }>({ quiet: (_outcome, after) => ({ after: after.id }) });
    const at3 = [registry.waitForNews('lobby', at(3), { timeoutMs: 25_000 }), registry.waitForNews('lobby', at(3), { timeoutMs: 25_000 })];
    const at5 = registry.waitForNews('lobby', at(5), { timeoutMs: 25_000 });
    const answerFor = vi.fn((after: Cursor) => ({ after: after.id }));
    expect(registry.notify('lobby', answerFor)).toBe(3);
    expect(answerFor.mock.calls).toEqual([[at(3)], [at(5)]]);
    const [first, second] = await Promise.all(at3);
    expect(first).toEqual({ after: 3 });
    expect(second).toBe(first);
    await expect(at5).resolves.toEqual({ after: 5 });
  });

  it('answers every waiter, and every later one at once, when the server shuts down', async () => {
    const shutdown = new AbortController();
    const registry = outcomeRegistry(shutdown.signal);
    const held = [registry.waitForNews('a', at(0), { timeoutMs: 25_000 }), registry.waitForNews('b', at(0), { timeoutMs: 25_000 })];
    shutdown.abort();
    await expect(Promise.all(held)).resolves.toEqual(['aborted', 'aborted']);
    await expect(registry.waitForNews('a', at(0), { timeoutMs: 25_000 })).resolves.toBe('aborted');
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
