import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Four server processes on one port, sharing the chat through a real redis-server. Every
// request opens a connection of its own, so the primary hands them to the workers in turn.
const WORKERS = 4;
const LISTENERS = 20;
const POSTERS = 5;
const POSTS_EACH = 10;
const TOTAL = POSTERS * POSTS_EACH;
const PATH = '/api/chat/messages';
const POLL_TIMEOUT_MS = 3_000;
const CLIENT_DEADLINE_MS = POLL_TIMEOUT_MS + 7_000;

let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  // Every client here shares one loopback address: per-client limits off, as for any load test.
  // Short polls keep a client that missed a notification (or lost its worker) moving.
  server = await startTestServer({
    env: { WORKERS: String(WORKERS), REDIS_URL: redis.url, RATE_LIMITS: 'off', POLL_TIMEOUT_MS: String(POLL_TIMEOUT_MS) },
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

interface Message {
  id: number;
  epoch: string;
  text: string;
}
interface Answer {
  status: number;
  servedBy: string;
  body: unknown;
}

/** One request on a fresh connection; a cut connection resolves with status 0. */
function request(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = http.request(
      server.url(pathAndQuery),
      {
        method,
        agent: false,
        headers: payload ? { 'Content-Type': 'application/json', Origin: server.origin, ...headers } : headers,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: response.statusCode ?? 0, servedBy: String(response.headers['x-served-by'] ?? ''), body: parsed });
        });
        response.on('error', () => resolve({ status: 0, servedBy: '', body: undefined }));
      },
    );
    outgoing.on('error', () => resolve({ status: 0, servedBy: '', body: undefined }));
    // A client's own deadline: the server's poll timeout plus a margin. A connection handed to a
    // worker that was killed meanwhile may never be answered.
    outgoing.setTimeout(CLIENT_DEADLINE_MS, () => outgoing.destroy());
    outgoing.end(payload);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  /** Texts whose post was acknowledged (201 or 200), per poster in sending order. */
  acknowledged: string[][];
  /** Each listener's messages in arrival order. */
  received: Message[][];
  servedBy: Set<string>;
  statuses: number[];
}

/**
 * Listeners follow the room from its start; once all of them hold a poll, posters send their
 * messages one after another, retrying a post that got no answer or a 503 with the same
 * Idempotency-Key. `during` runs once a third of the messages are acknowledged.
 */
async function runChat(room: string, during?: (run: Run) => Promise<void>): Promise<Run> {
  const run: Run = { acknowledged: [], received: [], servedBy: new Set(), statuses: [] };
  const deadline = Date.now() + 60_000;
  let listening = 0;
  let allListening!: () => void;
  const everyoneListens = new Promise<void>((resolve) => (allListening = resolve));

  const listen = async (index: number) => {
    const received: Message[] = (run.received[index] = []);
    let cursor: string | undefined;
    while (cursor === undefined && Date.now() < deadline) {
      const answer = await request('GET', `${PATH}?room=${room}`);
      if (answer.status === 200) cursor = (answer.body as { cursor: string }).cursor;
    }
    if ((listening += 1) === LISTENERS) allListening();
    while (received.length < TOTAL && Date.now() < deadline) {
      const answer = await request('GET', `${PATH}?room=${room}&after=${cursor}`);
      run.statuses.push(answer.status);
      if (answer.servedBy) run.servedBy.add(answer.servedBy);
      if (answer.status !== 200) {
        await pause(100); // cut connection or 503: poll again from the same cursor
        continue;
      }
      const body = answer.body as { messages: Message[]; cursor: string };
      received.push(...body.messages);
      cursor = body.cursor;
    }
  };

  const post = async (poster: number) => {
    const acknowledged: string[] = (run.acknowledged[poster] = []);
    for (let n = 0; n < POSTS_EACH; n += 1) {
      const text = `p${poster}-m${n}`;
      const key = `${room}-${poster}-${n}`;
      for (;;) {
        if (Date.now() > deadline) return;
        const answer = await request('POST', PATH, { room, text }, { 'Idempotency-Key': key });
        run.statuses.push(answer.status);
        if (answer.servedBy) run.servedBy.add(answer.servedBy);
        if (answer.status === 201 || answer.status === 200) break;
        await pause(100); // no answer, or 503 while Redis is away: send the same message again
      }
      acknowledged.push(text);
      const total = run.acknowledged.reduce((sum, list) => sum + list.length, 0);
      if (total === Math.floor(TOTAL / 3)) thirdDone();
    }
  };
  let thirdDone!: () => void;
  const third = new Promise<void>((resolve) => (thirdDone = resolve));

  const listeners = Array.from({ length: LISTENERS }, (_, index) => listen(index));
  await everyoneListens;
  const posters = Array.from({ length: POSTERS }, (_, poster) => post(poster));
  const disturbance = during ? third.then(() => during(run)) : Promise.resolve();
  await Promise.all([...posters, disturbance]);
  await Promise.all(listeners);
  return run;
}

/** Every listener got every acknowledged message exactly once, each poster's in its sending order, ids consecutive. */
function expectDeliveredOnce(run: Run) {
  const acknowledged = run.acknowledged.flat();
  expect(acknowledged).toHaveLength(TOTAL);
  for (const received of run.received) {
    const texts = received.map((message) => message.text);
    expect(new Set(texts).size).toBe(texts.length); // 0 duplicated
    expect([...texts].sort()).toEqual([...acknowledged].sort()); // 0 lost
    expect(received.map((message) => message.id)).toEqual(received.map((_, index) => index + 1)); // one order for all
    for (const list of run.acknowledged) {
      expect(texts.filter((text) => list.includes(text))).toEqual(list); // each poster's order kept
    }
  }
}

describe(`scale-out: ${WORKERS} processes, one chat on Redis`, () => {
  it(`${LISTENERS} listeners and ${POSTERS} posters spread over the workers: 0 lost, 0 duplicated, order kept`, async () => {
    const run = await runChat(`spread-${Date.now().toString(36)}`);
    expectDeliveredOnce(run);
    expect(new Set([...run.servedBy].map((name) => name.split('/')[0])).size).toBe(WORKERS);
  }, 90_000);

  it('a worker killed with SIGKILL mid-run: its clients resume on the others with nothing lost', async () => {
    let victim = '';
    const run = await runChat(`kill-${Date.now().toString(36)}`, async (current) => {
      victim = [...current.servedBy][0]!;
      process.kill(Number(victim.split('/')[1]), 'SIGKILL');
    });
    expectDeliveredOnce(run);
    expect(victim).toMatch(/^worker-\d\/\d+$/);
  }, 90_000);

  it('Redis stopped for 5 s mid-run: 503s meanwhile, then every acknowledged message delivered once', async () => {
    const run = await runChat(`outage-${Date.now().toString(36)}`, async () => {
      await redis.pause();
      await pause(5_000); // the outage itself, not a synchronisation
      await redis.resume();
    });
    expectDeliveredOnce(run);
    expect(run.statuses).toContain(503);
  }, 120_000);
});
