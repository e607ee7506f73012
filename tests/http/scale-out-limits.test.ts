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
    // Each answer of the waiting ones is a 429 refusal, sent at once; held polls stay unanswered.
    const polls = Array.from({ length: 2 * MAX_HELD + 2 }, () => poll(`/api/chat/messages?room=${room}&after=${cursor}`));
    const refusals = polls.map((held) => held.status);
    const refused: { status: number; servedBy: string }[] = [];
    // Wait for the refusals: every poll beyond the quota is refused, the others are held.
    await new Promise<void>((resolve) => {
      for (const answer of refusals) {
        void answer.then((result) => {
          refused.push(result);
          if (refused.length === polls.length - MAX_HELD) resolve();
        });
      }
    });
    expect(refused.map((result) => result.status)).toEqual(Array(polls.length - MAX_HELD).fill(429));
    // Refusals came from both processes: neither counted only its own polls.
    expect(new Set(refused.map((result) => result.servedBy.split('/')[0])).size).toBe(2);
    for (const held of polls) held.cut();
  });
});
