import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.ts';
import { createSharedLimits, type SharedLimits } from '../../../../src/server/cluster/shared-limits.ts';
import { startTestRedis, type TestRedis } from '../../../support/redis-server.ts';

let redis: TestRedis;
let inspector: ReturnType<typeof createClient>;
const opened: SharedLimits[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
  inspector = createClient({ url: redis.url });
  await inspector.connect();
});
afterAll(async () => {
  await Promise.all(opened.map((limits) => limits.close()));
  await inspector?.close();
  await redis?.stop();
});

/** Redis's clock, in milliseconds: the one the leases lapse on. */
async function redisNow(): Promise<number> {
  const [seconds, micros] = (await inspector.sendCommand(['TIME'])) as [string, string];
  return Number(seconds) * 1_000 + Number(micros) / 1_000;
}

/** Waits until this much time has passed on Redis's clock (checked, not slept). */
async function redisTimePasses(ms: number): Promise<void> {
  const since = await redisNow();
  await until(async () => (await redisNow()) > since + ms, 2_000);
}

let prefixes = 0;
/** Two processes' limits on one Redis: the same prefix, separate connections. */
async function twoProcesses(pollTimeoutMs = 60_000) {
  const prefix = `limits${(prefixes += 1)}:`;
  const pair = [0, 1].map(() => createSharedLimits({ url: redis.url, prefix, pollTimeoutMs, onWarning: () => {} }));
  opened.push(...pair);
  return pair as [SharedLimits, SharedLimits];
}

async function statusOf(work: Promise<unknown>): Promise<number> {
  try {
    await work;
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

/** Retries until `check` holds, bounded: waits for a connection or a lapse we cannot subscribe to. */
async function until(check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

describe('per-client limits shared across processes', () => {
  it('a client cannot multiply its post rate by reaching two processes', async () => {
    const [a, b] = await twoProcesses();
    // perSecond is tiny, so no token comes back during the test, however slow the machine.
    const limiterA = a.rateLimiter({ name: 'posts', perSecond: 0.001, burst: 4 });
    const limiterB = b.rateLimiter({ name: 'posts', perSecond: 0.001, burst: 4 });
    await until(() => statusOf(limiterA.take('warm', 'messages')).then((status) => status === 200));
    await until(() => statusOf(limiterB.take('warm', 'messages')).then((status) => status === 200));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(await statusOf(limiterA.take('client-1', 'messages')));
      statuses.push(await statusOf(limiterB.take('client-1', 'messages')));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(await statusOf(limiterB.take('client-2', 'messages'))).toBe(200); // others keep their own bucket
  });

  it('held polls of one client are counted across processes, and released ones count no more', async () => {
    const [a, b] = await twoProcesses();
    const countA = a.waiterCount({ name: 'polls', maxPerClient: 2 });
    const countB = b.waiterCount({ name: 'polls', maxPerClient: 2 });
    await until(() => statusOf(countA.acquire('warm')).then((status) => status === 200));
    await until(() => statusOf(countB.acquire('warm')).then((status) => status === 200));
    const first = await countA.acquire('client-1');
    await countB.acquire('client-1');
    expect(await statusOf(countA.acquire('client-1'))).toBe(429);
    first();
    first(); // twice is harmless
    await until(() => statusOf(countB.acquire('client-1')).then((status) => status === 200));
    expect(await statusOf(countA.acquire('client-1'))).toBe(429);
  });

  it('counts left by a process that died lapse within one poll timeout', async () => {
    const pollTimeoutMs = 200;
    const [dead, alive] = await twoProcesses(pollTimeoutMs);
    const deadCount = dead.waiterCount({ name: 'polls', maxPerClient: 1 });
    await until(() => statusOf(deadCount.acquire('client-1')).then((status) => status === 200)); // never released
    await dead.close(); // the process is gone
    const aliveCount = alive.waiterCount({ name: 'polls', maxPerClient: 1 });
    expect(await statusOf(aliveCount.acquire('client-1'))).toBe(429); // still counted…
    await until(() => statusOf(aliveCount.acquire('client-1')).then((status) => status === 200)); // …until it lapses
  });

  it('a long-lived connection\'s lease is renewed while held, and lapses within one poll timeout once its process dies', async () => {
    const pollTimeoutMs = 1_000;
    const [holder, other] = await twoProcesses(pollTimeoutMs);
    const holderCount = holder.waiterCount({ name: 'streams', maxPerClient: 1, renewed: true });
    const otherCount = other.waiterCount({ name: 'streams', maxPerClient: 1, renewed: true });
    await until(() => statusOf(holderCount.acquire('client-1')).then((status) => status === 200));
    await until(() => statusOf(otherCount.acquire('warm')).then((status) => status === 200));
    // Held for more than two lease lengths on Redis's clock: still counted, because it is renewed.
    await redisTimePasses(2.5 * pollTimeoutMs);
    expect(await statusOf(otherCount.acquire('client-1'))).toBe(429);
    await holder.close(); // the process is gone: nobody renews its lease…
    await until(() => statusOf(otherCount.acquire('client-1')).then((status) => status === 200), 400); // …and it lapses
  });

  it('a released lease is not renewed back', async () => {
    const pollTimeoutMs = 300;
    const [a, b] = await twoProcesses(pollTimeoutMs);
    const countA = a.waiterCount({ name: 'streams', maxPerClient: 1, renewed: true });
    const countB = b.waiterCount({ name: 'streams', maxPerClient: 1, renewed: true });
    let release: () => void = () => {};
    await until(() => countA.acquire('client-1').then((granted) => ((release = granted), true), () => false));
    const other = await countA.acquire('client-2'); // keeps A's renewals running
    release();
    await redisTimePasses(3 * pollTimeoutMs); // several renewals of A's other lease
    expect(await statusOf(countB.acquire('client-1'))).toBe(200);
    expect(await statusOf(countB.acquire('client-2'))).toBe(429);
    other();
  });

  it('answers 503 when Redis cannot be reached', async () => {
    const limits = createSharedLimits({ url: 'redis://127.0.0.1:1', pollTimeoutMs: 1_000, onWarning: () => {} });
    opened.push(limits);
    expect(await statusOf(limits.rateLimiter({ name: 'posts', perSecond: 1, burst: 1 }).take('c', 'messages'))).toBe(503);
    expect(await statusOf(limits.waiterCount({ name: 'polls', maxPerClient: 1 }).acquire('c'))).toBe(503);
  });
});
