import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Two processes, per-client limits on: a client that reaches both still gets one quota.
const MAX_HELD = 2;
let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({
    env: { WORKERS: '2', REDIS_URL: redis.url, MAX_WAITERS_PER_CLIENT: String(MAX_HELD), POLL_TIMEOUT_MS: '60000' },
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

interface Held {
  /** Resolves with the status once answered (a refusal comes at once; a held poll only when cut). */
  status: Promise<{ status: number; servedBy: string }>;
  cut(): void;
}

/** A poll on a connection of its own: the primary hands connections to the workers in turn. */
function poll(pathAndQuery: string): Held {
  let outgoing!: http.ClientRequest;
  const status = new Promise<{ status: number; servedBy: string }>((resolve) => {
    outgoing = http.get(server.url(pathAndQuery), { agent: false }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, servedBy: String(response.headers['x-served-by'] ?? '') });
    });
    outgoing.on('error', () => resolve({ status: 0, servedBy: '' }));
  });
  return { status, cut: () => outgoing.destroy() };
}

async function cursorOf(room: string): Promise<string> {
  const response = await fetch(server.url(`/api/chat/messages?room=${room}`));
  return ((await response.json()) as { cursor: string }).cursor;
}

describe('scale-out: per-client limits hold across workers', () => {
  it(`${MAX_HELD} held polls per client in all, whichever process holds them`, async () => {
    const room = `limits-${Date.now().toString(36)}`;
    const cursor = await cursorOf(room);
    // Every poll's headers come at once: 200 for a held one (its body follows the news), 429 for
    // one over the quota. Twelve connections, handed to the two workers in turn, put several on each.
    const polls = Array.from({ length: 12 }, () => poll(`/api/chat/messages?room=${room}&after=${cursor}`));
    const answers = await Promise.all(polls.map((held) => held.status));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array(MAX_HELD).fill(200), ...Array(polls.length - MAX_HELD).fill(429)]);
    // Both processes refused, so each counted the other's polls: counting per process, a worker
    // that refuses holds two itself, and two refusing workers would hold four.
    const refusedBy = new Set(answers.filter((answer) => answer.status === 429).map((answer) => answer.servedBy.split('/')[0]));
    expect(refusedBy.size).toBe(2);
    for (const held of polls) held.cut();
  });
});
