import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWaiterRegistry } from '../../../../src/server/chat/waiter-registry.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createWaiterRegistry', () => {
  it('settles a waiter once with "message" on news, and leaves nothing behind', async () => {
    const registry = createWaiterRegistry();
    const client = new AbortController();
    const outcome = registry.waitForNews('lobby', { timeoutMs: 25_000, signal: client.signal });
    expect(registry.size).toBe(1);
    expect(registry.has('lobby')).toBe(true);

    expect(registry.notify('lobby')).toBe(1);
    client.abort(); // too late: already settled
    await vi.advanceTimersByTimeAsync(30_000); // and the timeout never fires
    await expect(outcome).resolves.toBe('message');
    expect(registry.size).toBe(0);
    expect(registry.has('lobby')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
  });

  it('settles with "timeout" when nothing happens, and a later message finds no one', async () => {
    const registry = createWaiterRegistry();
    const client = new AbortController();
    const outcome = registry.waitForNews('lobby', { timeoutMs: 25_000, signal: client.signal });
    await vi.advanceTimersByTimeAsync(24_999);
    expect(registry.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('timeout');
    expect(registry.notify('lobby')).toBe(0);
    expect(registry.size).toBe(0);
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
  });

  it('settles with "aborted" when the client leaves, clearing its timer', async () => {
    const registry = createWaiterRegistry();
    const client = new AbortController();
    const outcome = registry.waitForNews('lobby', { timeoutMs: 25_000, signal: client.signal });
    expect(vi.getTimerCount()).toBe(1);
    client.abort();
    await expect(outcome).resolves.toBe('aborted');
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(registry.notify('lobby')).toBe(0);
  });

  it('does not register a waiter whose client has already gone', async () => {
    const registry = createWaiterRegistry();
    await expect(registry.waitForNews('lobby', { timeoutMs: 1_000, signal: AbortSignal.abort() })).resolves.toBe('aborted');
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes only the waiters of the room that has news', async () => {
    const registry = createWaiterRegistry();
    const inLobby = [1, 2, 3].map(() => registry.waitForNews('lobby', { timeoutMs: 25_000 }));
    const elsewhere = registry.waitForNews('room-b', { timeoutMs: 25_000 });
    expect(registry.notify('lobby')).toBe(3);
    await expect(Promise.all(inLobby)).resolves.toEqual(['message', 'message', 'message']);
    expect(registry.size).toBe(1);
    await vi.advanceTimersByTimeAsync(25_000);
    await expect(elsewhere).resolves.toBe('timeout');
  });

  it('answers every waiter, and every later one at once, when the server shuts down', async () => {
    const shutdown = new AbortController();
    const registry = createWaiterRegistry({ endSignal: shutdown.signal });
    const held = [registry.waitForNews('a', { timeoutMs: 25_000 }), registry.waitForNews('b', { timeoutMs: 25_000 })];
    shutdown.abort();
    await expect(Promise.all(held)).resolves.toEqual(['aborted', 'aborted']);
    await expect(registry.waitForNews('a', { timeoutMs: 25_000 })).resolves.toBe('aborted');
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
