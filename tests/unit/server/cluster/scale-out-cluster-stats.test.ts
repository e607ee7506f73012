import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterStats, type ClusterStats, type ClusterStatsReader } from '../../../../src/server/cluster/cluster-stats.ts';
import type { StatsSnapshot } from '../../../../src/server/stats/server-stats.ts';
import { startTestRedis, type TestRedis } from '../../../support/redis-server.ts';

let redis: TestRedis;
const opened: ClusterStatsReader[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((reader) => reader.close()));
  await redis?.stop();
});

function snapshotWith(gauges: Record<string, number>, ratesPerSecond: Record<string, number> = {}): StatsSnapshot {
  return {
    gauges,
    ratesPerSecond,
    process: { cpuTimeMs: 1, cpuPercent: 1, rssBytes: 1, heapUsedBytes: 1, uptimeSeconds: 1 },
  };
}

let prefixes = 0;
/** Processes reporting to one Redis under a prefix of their own test. */
function processes(prefix: string, entries: Array<{ name: string; snapshot: StatsSnapshot; reportEveryMs?: number; reportTtlMs?: number }>) {
  return entries.map(({ name, snapshot, reportEveryMs = 50, reportTtlMs = 5_000 }) => {
    const reader = createClusterStats({ redisUrl: redis.url, servedBy: name, snapshot: () => snapshot, prefix, reportEveryMs, reportTtlMs, onWarning: () => {} });
    opened.push(reader);
    return reader;
  });
}

/** Reads until `check` holds, bounded: reports arrive on the processes' own timers. */
async function readUntil(reader: ClusterStatsReader, own: StatsSnapshot, check: (cluster: ClusterStats) => boolean): Promise<ClusterStats> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const cluster = await reader.read(own);
    if (cluster && check(cluster)) return cluster;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

describe('statistics across processes', () => {
  it('every process sees the others, and the totals of what adds up', async () => {
    const prefix = `stats${(prefixes += 1)}:`;
    const one = snapshotWith({ chatWaiters: 3, chatRooms: 7 }, { chatPosts: 1.5 });
    const two = snapshotWith({ chatWaiters: 4, sseStreams: 2, chatRooms: 7 }, { chatPosts: 2 });
    const [a] = processes(prefix, [
      { name: 'worker-1/100', snapshot: one },
      { name: 'worker-2/200', snapshot: two },
    ]);
    const cluster = await readUntil(a!, one, (seen) => seen.processes === 2);
    expect(cluster.members.map((member) => member.servedBy)).toEqual(['worker-1/100', 'worker-2/200']);
    expect(cluster.gauges).toMatchObject({ chatWaiters: 7, sseStreams: 2 });
    expect(cluster.gauges).not.toHaveProperty('chatRooms'); // the shared chat's size: the same from every process
    expect(cluster.ratesPerSecond).toEqual({ chatPosts: 3.5 });
    expect(cluster.members[1]!.gauges).toEqual(two.gauges);
    expect(cluster.members[0]!.ageMs).toBe(0); // the reader's own figures are read live
  });

  it('the reader counts its live figures, not its last report', async () => {
    const prefix = `stats${(prefixes += 1)}:`;
    const [a] = processes(prefix, [{ name: 'worker-1/100', snapshot: snapshotWith({ chatWaiters: 1 }) }]);
    const cluster = await readUntil(a!, snapshotWith({ chatWaiters: 9 }), (seen) => seen.processes === 1);
    expect(cluster.gauges.chatWaiters).toBe(9);
  });

  it('a process that stops reporting drops out once its report lapses; one that closes, at once', async () => {
    const prefix = `stats${(prefixes += 1)}:`;
    const own = snapshotWith({ chatWaiters: 1 });
    const [reader, closing] = processes(prefix, [
      { name: 'worker-1/100', snapshot: own },
      { name: 'worker-2/200', snapshot: snapshotWith({ chatWaiters: 2 }) },
      // Reports once, on connecting, then never again: as a process killed right after.
      { name: 'worker-3/300', snapshot: snapshotWith({ chatWaiters: 4 }), reportEveryMs: 3_600_000, reportTtlMs: 1_000 },
    ]);
    const named = (name: string) => (seen: ClusterStats) => seen.members.some((member) => member.servedBy === name);
    await readUntil(reader!, own, named('worker-3/300'));
    const lapsed = await readUntil(reader!, own, (seen) => !named('worker-3/300')(seen) && named('worker-2/200')(seen));
    expect(lapsed.gauges.chatWaiters).toBe(3);
    await closing!.close();
    const closed = await reader!.read(own);
    expect(closed?.members.map((member) => member.servedBy)).toEqual(['worker-1/100']);
  });

  it('without Redis, the cluster is this process alone', async () => {
    const reader = createClusterStats({ servedBy: 'single/1', snapshot: () => snapshotWith({}) });
    const cluster = await reader.read(snapshotWith({ chatWaiters: 2, chatRooms: 5 }));
    expect(cluster).toMatchObject({ processes: 1, gauges: { chatWaiters: 2 }, members: [{ servedBy: 'single/1', ageMs: 0 }] });
  });

  it('with Redis unreachable, there is no cluster part (and no error)', async () => {
    const reader = createClusterStats({ redisUrl: 'redis://127.0.0.1:1', servedBy: 'worker-1/1', snapshot: () => snapshotWith({}), onWarning: () => {} });
    opened.push(reader);
    expect(await reader.read(snapshotWith({}))).toBeUndefined();
  });
});
