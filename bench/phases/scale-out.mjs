// Scale-out: the same chat served by one process on its embedded file log, then by 1, 2 and 4
// processes sharing it through a real redis-server (started here on a free loopback port,
// appendfsync always). For each: how long one message takes to reach N held polls spread over
// the processes (fan-out), and how many posts per second are acknowledged while listeners follow
// the room (throughput). Every client runs in this process, on the same cores as the servers.
import http from 'node:http';
import os from 'node:os';
import { startTestRedis } from '../../tests/support/redis-server.ts';
import { startTestServer } from '../../tests/support/test-server.ts';
import { percentile, round } from '../lib/latency-summary.mjs';
import { sleep } from '../lib/server-process.mjs';

export const SCALE_OUT_CONFIGS = [
  { label: 'embedded, 1 process', workers: 1, redis: false },
  { label: 'Redis, 1 process', workers: 1, redis: true },
  { label: 'Redis, 2 processes', workers: 2, redis: true },
  { label: 'Redis, 4 processes', workers: 4, redis: true },
];

/**
 * @param {{ waiters: number, rounds: number, posters: number, listeners: number, throughputMs: number,
 *   settleMs: number, timeoutMs: number, log: (line: string) => void }} options
 * @returns one row per configuration: `{label, workers, redis, fanOut: {waiters, completeMs, p50Ms, …}, throughput: {postsPerSecond, …}}`
 */
export async function measureScaleOut({ waiters, rounds, posters, listeners, throughputMs, settleMs, timeoutMs, log }) {
  const rows = [];
  for (const config of SCALE_OUT_CONFIGS) {
    const redis = config.redis ? await startTestRedis() : undefined;
    const env = { RATE_LIMITS: 'off', MAX_WAITERS: String(waiters + 1_000), POLL_TIMEOUT_MS: String(timeoutMs * 2) };
    if (redis) env.REDIS_URL = redis.url;
    if (config.workers > 1) env.WORKERS = String(config.workers);
    const server = await startTestServer({ env });
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    try {
      const fanOut = await fanOutRounds({ origin: server.origin, agent, waiters, rounds, settleMs, timeoutMs }).catch((error) => ({
        waiters,
        error: error.message, // recorded, and the other configurations still run
      }));
      const throughput = await postThroughput({ origin: server.origin, agent, posters, listeners, throughputMs, timeoutMs });
      rows.push({ ...config, fanOut, throughput });
      log(
        `scale-out · ${config.label.padEnd(20)} · fan-out to ${waiters}: ` +
          `${fanOut.error ? `failed (${fanOut.error})` : `complete ${fanOut.completeMs} ms (${fanOut.received}/${fanOut.expected})`} · ${throughput.postsPerSecond} posts/s, ${throughput.deliveriesPerSecond} deliveries/s`,
      );
    } finally {
      agent.destroy();
      await server.stop();
      await redis?.stop();
    }
  }
  return {
    cpus: os.availableParallelism(),
    loadAverageAtStart: round(os.loadavg()[0]),
    settings: { waiters, rounds, posters, listeners, throughputSeconds: throughputMs / 1_000 },
    rows,
  };
}

/** One request; resolves `{status, body, servedBy}` or `{status: 0}` when the connection fails or times out. */
function request(origin, agent, method, pathAndQuery, body, timeoutMs) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = http.request(
      `${origin}${pathAndQuery}`,
      { method, agent, headers: payload ? { 'Content-Type': 'application/json', Origin: origin } : {} },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, servedBy: response.headers['x-served-by'] }));
        response.on('error', () => resolve({ status: 0 }));
      },
    );
    outgoing.on('error', () => resolve({ status: 0 }));
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy());
    outgoing.end(payload);
  });
}

const messagesPath = '/api/chat/messages';

/**
 * The room's cursor from an initial load. Workers listen before their Redis connections are
 * up, and answer 503 meanwhile: ask again, a bounded number of times.
 */
async function initialCursor(origin, agent, room, timeoutMs) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const answer = await request(origin, agent, 'GET', `${messagesPath}?room=${room}`, undefined, timeoutMs);
    if (answer.status === 200) return JSON.parse(answer.body).cursor;
    await sleep(100);
  }
  throw new Error('the initial load kept failing');
}

async function fanOutRounds({ origin, agent, waiters, rounds, settleMs, timeoutMs }) {
  const room = `scale-fan-out-${Date.now().toString(36)}`;
  let cursor = await initialCursor(origin, agent, room, timeoutMs);
  const completions = [];
  const latencies = [];
  let received = 0;
  let expected = 0;
  /** Answers without the message, by what they were instead. */
  const missed = {};
  for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
    const text = `fan-out round ${roundIndex}`;
    let postedAt = Infinity;
    let last = 0;
    // A connection of its own for each poll, opened before the post: a reused keep-alive
    // connection may be closed by the server just as it is reused, and the answer would be lost.
    const polls = Array.from({ length: waiters }, () =>
      request(origin, false, 'GET', `${messagesPath}?room=${room}&after=${cursor}`, undefined, timeoutMs).then((answer) => {
        const at = performance.now();
        if (answer.status === 200 && answer.body.includes(JSON.stringify(text))) {
          received += 1;
          latencies.push(at - postedAt);
          last = Math.max(last, at - postedAt);
        } else {
          // What the others got instead: a status (0: no answer), or 200 without the message.
          const key = answer.status === 200 ? `200 ${answer.body.slice(0, 60)}` : String(answer.status);
          missed[key] = (missed[key] ?? 0) + 1;
        }
      }),
    );
    // Let every poll reach a process and be held. A pause, not a check: the held polls are
    // spread over several processes, each with its own gauges.
    await sleep(settleMs + waiters / 5);
    postedAt = performance.now();
    const post = await request(origin, agent, 'POST', messagesPath, { room, text }, timeoutMs);
    if (post.status !== 201) throw new Error(`fan-out post answered ${post.status}: ${String(post.body).slice(0, 200)}`);
    await Promise.all(polls);
    expected += waiters;
    completions.push(last);
    const message = JSON.parse(post.body);
    cursor = message.epoch === undefined ? message.id : `${message.epoch}.${message.id}`; // a store without epochs: a bare id
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    waiters,
    rounds,
    expected,
    received,
    completeMs: round(percentile(Float64Array.from(completions).sort(), 0.5)),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    missed,
  };
}

async function postThroughput({ origin, agent, posters, listeners, throughputMs, timeoutMs }) {
  const room = `scale-throughput-${Date.now().toString(36)}`;
  const start = await initialCursor(origin, agent, room, timeoutMs);
  let running = true;
  let acknowledged = 0;
  let refused = 0;
  let deliveries = 0;
  const listen = async () => {
    let cursor = start;
    while (running) {
      const answer = await request(origin, agent, 'GET', `${messagesPath}?room=${room}&after=${cursor}`, undefined, timeoutMs);
      if (answer.status !== 200) continue;
      const body = JSON.parse(answer.body);
      deliveries += body.messages.length;
      cursor = body.cursor;
    }
  };
  const post = async (poster) => {
    for (let n = 0; running; n += 1) {
      const answer = await request(origin, agent, 'POST', messagesPath, { room, text: `p${poster} m${n}` }, timeoutMs);
      if (answer.status === 201) acknowledged += 1;
      else refused += 1;
    }
  };
  const listening = Array.from({ length: listeners }, listen);
  await sleep(500);
  const startedAt = performance.now();
  const posting = Array.from({ length: posters }, (_, poster) => post(poster));
  await sleep(throughputMs);
  running = false;
  const seconds = (performance.now() - startedAt) / 1_000;
  await Promise.all(posting);
  // Wake the listeners one last time so that they end.
  await request(origin, agent, 'POST', messagesPath, { room, text: 'end' }, timeoutMs);
  await Promise.all(listening);
  return {
    posters,
    listeners,
    seconds: round(seconds),
    acknowledged,
    refused,
    postsPerSecond: Math.round(acknowledged / seconds),
    deliveriesPerSecond: Math.round(deliveries / seconds),
  };
}
