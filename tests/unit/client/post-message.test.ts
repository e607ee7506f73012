import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../src/client/backoff.ts';
import { POST_ATTEMPTS, postMessage } from '../../../src/client/post-message.ts';

const stored = { id: 1, epoch: 'e1', text: 'hi', author: 'a', at: 0, room: 'r' };

describe('postMessage: exactly once with an Idempotency-Key', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries a post whose answer was lost with the SAME key', async () => {
    const keys: string[] = [];
    const fetcher = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) => {
      keys.push(new Headers(init?.headers).get('idempotency-key')!);
      if (keys.length === 1) throw new TypeError('connection reset'); // stored, but the answer was lost
      return Response.json(stored, { status: 200 });
    });
    const retries: number[] = [];
    const sent = postMessage('r', 'hi', 'a', { fetch: fetcher as unknown as typeof fetch, backoff: new Backoff({ random: () => 0 }), onRetry: (n) => retries.push(n) });
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(sent).resolves.toEqual(stored);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(retries).toEqual([2]);
  });

  it('gives each message a fresh key, and never retries a refusal', async () => {
    const keys: string[] = [];
    const fetcher = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) => {
      keys.push(new Headers(init?.headers).get('idempotency-key')!);
      return Response.json({ error: 'same key, different text' }, { status: 422 });
    });
    await expect(postMessage('r', 'a', undefined, { fetch: fetcher as unknown as typeof fetch })).rejects.toThrow('same key, different text');
    await expect(postMessage('r', 'b', undefined, { fetch: fetcher as unknown as typeof fetch })).rejects.toThrow();
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('gives up after a few attempts', async () => {
    const fetcher = vi.fn(async () => {
      throw new TypeError('offline');
    });
    const sent = postMessage('r', 'x', undefined, { fetch: fetcher as unknown as typeof fetch, backoff: new Backoff({ random: () => 0 }) });
    const outcome = expect(sent).rejects.toThrow(/offline/);
    await vi.advanceTimersByTimeAsync(60_000);
    await outcome;
    expect(fetcher).toHaveBeenCalledTimes(POST_ATTEMPTS);
  });
});
