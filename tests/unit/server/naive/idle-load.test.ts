import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../../../../src/server/http/http-error.ts';
import { createRateLimiter } from '../../../../src/server/limits/rate-limiter.ts';
import { createWaiterQuota, WAITER_RETRY_AFTER_SECONDS } from '../../../../src/server/limits/waiter-quota.ts';
import { createIdleLoad } from '../../../../src/server/naive/idle-load.ts';
import { createServerStats, type ServerStats } from '../../../../src/server/stats/server-stats.ts';

const ORIGIN = 'http://127.0.0.1';
let stats: ServerStats;

interface SetUpOptions {
  maxNaiveWaiters?: number;
  burst?: number;
  perClientLimits?: boolean;
}

function setUp({ maxNaiveWaiters = 500, burst = 100, perClientLimits = true }: SetUpOptions = {}) {
  // The naive waits' quota, as the backend holds it: idle waiters take places beside visitors' waits.
  const waits = createWaiterQuota({ maxTotal: maxNaiveWaiters, maxPerClient: 10 });
  /** A stand-in idle waiter: takes its place at once, then simply waits to be released. */
  const hold = async (signal: AbortSignal) => {
    const release = waits.acquireForServer();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    release();
  };
  const handle = createIdleLoad({
    hold,
    freePlaces: () => waits.free,
    stats,
    rateLimiter: createRateLimiter({ perSecond: 1, burst }),
    config: { maxNaiveWaiters, perClientLimits, allowedOrigins: [] },
  });
  const post = async (client = 'alice', { origin = ORIGIN, search = '' } = {}) => {
    try {
      return handle(new Request(`${ORIGIN}/api/naive/load${search}`, { method: 'POST', headers: { Origin: origin } }), client);
    } catch (error) {
      return errorResponse(error);
    }
  };
  return { post, waits };
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
    const { post, waits } = setUp();
    const response = await post();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ added: 50, held: 50, limit: 500, holdSeconds: 20 });
    expect(held()).toBe(50);
    expect(waits.held).toBe(50);

    await vi.advanceTimersByTimeAsync(19_999);
    expect(held()).toBe(50);
    await vi.advanceTimersByTimeAsync(1);
    expect(held()).toBe(0);
    expect(waits.held).toBe(0);
  });

  it('runs one batch per client at a time: the next is a 429 that says when the running one ends', async () => {
    const { post } = setUp();
    expect((await post('alice')).status).toBe(200);
    await vi.advanceTimersByTimeAsync(5_000);
    const refused = await post('alice');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect((await refused.json()).error).toMatch(/still running.*15 s/);
    expect(held()).toBe(50);

    expect((await post('bob')).status).toBe(200);
    await vi.advanceTimersByTimeAsync(15_000);
    expect((await post('alice')).status).toBe(200);
  });

  it('lets one client run several batches when per-client limits are off (load tests)', async () => {
    const { post } = setUp({ perClientLimits: false });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    expect(held()).toBe(100);
  });

  it('holds at most MAX_NAIVE_WAITERS across all visitors and says when room frees up', async () => {
    const { post } = setUp();
    for (let i = 0; i < 10; i++) {
      expect((await post(`visitor-${i}`)).status).toBe(200);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(held()).toBe(500);
    const refused = await post('visitor-10');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10'); // the first batch ends 10 s from now
    expect((await refused.json()).error).toMatch(/already holds 500 naive waits.*10 s/);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(held()).toBe(450);
    expect((await post('visitor-10')).status).toBe(200);
  });

  it("shares that limit with visitors' own waits: a smaller batch, then a 503", async () => {
    const { post, waits } = setUp({ maxNaiveWaiters: 60 });
    for (let i = 0; i < 8; i++) waits.acquire(`browser-${i}`);
    expect(await (await post('alice')).json()).toMatchObject({ added: 50, held: 50, limit: 60 });
    expect(await (await post('bob')).json()).toMatchObject({ added: 2, held: 52 });
    expect((await post('carol')).status).toBe(503);
  });

  it("says to come back shortly when visitors' waits alone fill the limit", async () => {
    const { post, waits } = setUp({ maxNaiveWaiters: 3 });
    for (let i = 0; i < 3; i++) waits.acquire(`browser-${i}`);
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe(String(WAITER_RETRY_AFTER_SECONDS));
  });

  it('limits how often one client may ask', async () => {
    const { post } = setUp({ burst: 1, perClientLimits: false });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(429);
    expect((await post('bob')).status).toBe(200);
  });

  it("refuses another site's page with a 403 and starts nothing", async () => {
    const { post } = setUp();
    const refused = await post('alice', { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(/evil\.example/);
    expect(held()).toBe(0);
  });

  it('refuses query parameters it does not know', async () => {
    const { post } = setUp();
    const refused = await post('alice', { search: '?count=5000' });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatch(/unknown query parameter "count"/);
  });
});
