import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStats, StatsAnswer } from '../../src/server/cluster/cluster-stats.ts';
import { startTestRedis, type TestRedis } from '../support/redis-server.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

// Three processes on one port: /api/stats from any of them shows every process and the totals.
const WORKERS = 3;
const HELD = 9;
let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  // One loopback client holds every poll: per-client limits off. Long polls stay held for the test.
  server = await startTestServer({ env: { WORKERS: String(WORKERS), REDIS_URL: redis.url, RATE_LIMITS: 'off', POLL_TIMEOUT_MS: '60000' } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

/** A request on a connection of its own: the primary hands connections to the workers in turn. */
function get<T>(pathAndQuery: string): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    http
      .get(server.url(pathAndQuery), { agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as T }));
      })
      .on('error', reject)
      .setTimeout(5_000, function (this: http.ClientRequest) {
        this.destroy(new Error('no answer within 5 s')); // a connection handed to a worker killed meanwhile
      });
  });
}

/** A poll held open on a connection of its own; its headers come at once, its body with news. */
function holdPoll(pathAndQuery: string): { servedBy: Promise<string>; cut(): void } {
  let outgoing!: http.ClientRequest;
  const servedBy = new Promise<string>((resolve, reject) => {
    outgoing = http.get(server.url(pathAndQuery), { agent: false }, (response) => {
      response.on('error', () => {});
      resolve(String(response.headers['x-served-by']));
    });
    outgoing.on('error', reject);
  });
  return { servedBy, cut: () => outgoing.destroy() };
}

const stats = async () => (await get<StatsAnswer>('/api/stats')).body;
const heldBy = (cluster: ClusterStats, name: string) => cluster.members.find((member) => member.servedBy === name)?.gauges.chatHeldPolls;

describe('scale-out: /api/stats shows this process and the totals across processes', () => {
  it('held polls opened on different workers show up in the totals from every worker; a killed worker drops out', async () => {
    const room = `stats-${Date.now().toString(36)}`;
    const { body } = await get<{ cursor: string }>(`/api/chat/messages?room=${room}`);
    const polls = Array.from({ length: HELD }, () => holdPoll(`/api/chat/messages?room=${room}&after=${body.cursor}`));
    const holders = await Promise.all(polls.map((poll) => poll.servedBy));
    expect(new Set(holders).size).toBeGreaterThan(1); // spread over several processes

    // Every worker answers with its own figures on top and the same totals in `cluster`.
    const seen = new Map<string, StatsAnswer>();
    await eventually(
      async () => {
        const answer = await stats();
        if (answer.cluster?.processes === WORKERS && answer.cluster.gauges.chatHeldPolls === HELD) seen.set(answer.servedBy, answer);
        expect(seen.size).toBe(WORKERS);
      },
      { timeoutMs: 20_000 },
    );
    for (const [name, answer] of seen) {
      expect(answer.cluster!.members.map((member) => member.servedBy).sort()).toEqual([...seen.keys()].sort());
      expect(heldBy(answer.cluster!, name)).toBe(answer.gauges.chatHeldPolls); // its own entry is its live figures
      for (const holder of new Set(holders)) expect(heldBy(answer.cluster!, holder)).toBe(holders.filter((h) => h === holder).length);
    }

    // kill -9 a worker that holds polls: it cannot withdraw its report, which lapses.
    const victim = holders[0]!;
    process.kill(Number(victim.split('/')[1]), 'SIGKILL');
    const slot = victim.split('/')[0]!.replace('worker-', '');
    await eventually(async () => expect(server.output()).toMatch(new RegExp(`Worker ${slot} stopped`)), { timeoutMs: 10_000 });
    const remaining = holders.filter((holder) => holder !== victim).length;
    const after = await eventually(
      async () => {
        const answer = await stats();
        expect(answer.cluster?.members.some((member) => member.servedBy === victim)).toBe(false);
        expect(answer.cluster?.gauges.chatHeldPolls).toBe(remaining);
        return answer;
      },
      { timeoutMs: 20_000 },
    );
    expect(after.cluster!.members.every((member) => member.servedBy !== victim)).toBe(true);
    for (const poll of polls) poll.cut();
  });
});
