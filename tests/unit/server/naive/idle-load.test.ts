import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../../../../src/server/http/http-error.ts';
import { createRateLimiter } from '../../../../src/server/limits/rate-limiter.ts';
import { createIdleLoad } from '../../../../src/server/naive/idle-load.ts';
import { createServerStats, type ServerStats } from '../../../../src/server/stats/server-stats.ts';

let stats: ServerStats;

/** A stand-in waiter that simply waits to be released. */
const hold = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

function setUp(options: { maxHeld?: number; burst?: number } = {}) {
  const handle = createIdleLoad({
    hold: vi.fn(hold),
    stats,
    rateLimiter: createRateLimiter({ perSecond: 1, burst: options.burst ?? 100 }),
    maxHeld: options.maxHeld,
  });
  const post = async (client = 'alice') => {
    try {
      return handle(new Request('http://127.0.0.1/api/naive/load', { method: 'POST' }), client);
    } catch (error) {
      return errorResponse(error);
    }
  };
  return { post };
}

const held = () => stats.snapshot().gauges.naiveIdleWaiters;

describe('the idle-waiter load', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    stats = createServerStats();
  });
  afterEach(() => {
    stats.stop();
    vi.useRealTimers();
  });

  it('adds 50 idle waiters and releases them after 20 s', async () => {
    const { post } = setUp();
    const response = await post();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ added: 50, held: 50, limit: 500, holdSeconds: 20 });
    expect(held()).toBe(50);

    await vi.advanceTimersByTimeAsync(19_999);
    expect(held()).toBe(50);
    await vi.advanceTimersByTimeAsync(1);
    expect(held()).toBe(0);
  });

  it('holds at most 500 across all visitors and says when room frees up', async () => {
    const { post } = setUp();
    for (let i = 0; i < 10; i++) {
      expect((await post(`visitor-${i}`)).status).toBe(200);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(held()).toBe(500);
    const refused = await post('visitor-10');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10'); // the first batch ends 10 s from now
    expect((await refused.json()).error).toMatch(/already holds 500 idle waiters.*10 s/);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(held()).toBe(450);
    expect((await post('visitor-10')).status).toBe(200);
  });

  it('fills the last room with a smaller batch', async () => {
    const { post } = setUp({ maxHeld: 120 });
    await post();
    await post();
    expect(await (await post()).json()).toMatchObject({ added: 20, held: 120 });
  });

  it('limits how often one client may ask', async () => {
    const { post } = setUp({ burst: 1 });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(429);
    expect((await post('bob')).status).toBe(200);
  });

  it('refuses query parameters it does not know', async () => {
    const handle = createIdleLoad({ hold, stats, rateLimiter: createRateLimiter({ perSecond: 1, burst: 1 }) });
    expect(() => handle(new Request('http://127.0.0.1/api/naive/load?count=5000', { method: 'POST' }), 'a')).toThrow(
      /unknown query parameter "count"/,
    );
  });
});
