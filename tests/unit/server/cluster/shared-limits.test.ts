import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.ts';
import { createSharedLimits, type SharedLimits } from '../../../../src/server/cluster/shared-limits.ts';
import { startTestRedis, type TestRedis } from '../../../support/redis-server.ts';

let redis: TestRedis;
const opened: SharedLimits[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((limits) => limits.close()));
  await redis?.stop();
});

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

  it('answers 503 when Redis cannot be reached', async () => {
    const limits = createSharedLimits({ url: 'redis://127.0.0.1:1', pollTimeoutMs: 1_000, onWarning: () => {} });
    opened.push(limits);
    expect(await statusOf(limits.rateLimiter({ name: 'posts', perSecond: 1, burst: 1 }).take('c', 'messages'))).toBe(503);
    expect(await statusOf(limits.waiterCount({ name: 'polls', maxPerClient: 1 }).acquire('c'))).toBe(503);
  });
});
