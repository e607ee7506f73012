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
import { Connection, requestOnce } from '../lib/raw-http.mjs';
import { sleep } from '../lib/server-process.mjs';

export const SCALE_OUT_CONFIGS = [
  { label: 'embedded, 1 process', workers: 1, redis: false },
  { label: 'Redis, 1 process', workers: 1, redis: true },
  { label: 'Redis, 2 processes', workers: 2, redis: true },
  { label: 'Redis, 4 processes', workers: 4, redis: true },
];

/**
 * @param {{ waiters: number, rounds: number, posters: number, listeners: number, throughputMs: number,
 *   settleMs: number, rampTimeoutMs: number, timeoutMs: number, log: (line: string) => void }} options
 *   `rampTimeoutMs` bounds opening the connections and getting every poll held, `timeoutMs` each
 *   answer after a post (and each request of the throughput part).
 * @returns one row per configuration: `{label, workers, redis, fanOut: {waiters, completeMs, p50Ms, …}, throughput: {postsPerSecond, …}}`
 */
export async function measureScaleOut({ waiters, rounds, posters, listeners, throughputMs, settleMs, rampTimeoutMs, timeoutMs, log }) {
  const rows = [];
  const loadAverageAtStart = round(os.loadavg()[0]);
  for (const config of SCALE_OUT_CONFIGS) {
    const redis = config.redis ? await startTestRedis() : undefined;
    const env = {
      RATE_LIMITS: 'off',
      MAX_WAITERS: String(waiters + 1_000),
      // A held poll must outlast the ramp and the fan-out: an empty answer at its timeout would count as a miss.
      POLL_TIMEOUT_MS: String(rampTimeoutMs + 2 * timeoutMs),
    };
    if (redis) env.REDIS_URL = redis.url;
    if (config.workers > 1) env.WORKERS = String(config.workers);
    const server = await startTestServer({ env });
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    try {
      const processes = config.workers;
      const fanOut = await fanOutRounds({ origin: server.origin, agent, processes, waiters, rounds, settleMs, rampTimeoutMs, timeoutMs }).catch((error) => ({
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
    loadAverageAtStart,
    loadAverageAtEnd: round(os.loadavg()[0]),
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

/**
 * Fan-out to `waiters` held polls, `rounds` times. The clients are raw keep-alive connections in
 * this process, opened `CONNECT_BATCH` at a time (the listen backlog is finite, and a burst of
 * 10,000 handshakes on a loaded machine ends in SYN retries of whole seconds) and reused from
 * round to round. Before each post, the bench waits until the processes together hold every
 * poll: it asks /api/stats on fresh connections, which the cluster's primary hands to the
 * workers in turn, and adds up the latest `chatWaiters` of each `X-Served-By`.
 */
async function fanOutRounds({ origin, agent, processes, waiters, rounds, settleMs, rampTimeoutMs, timeoutMs }) {
  const target = { host: '127.0.0.1', port: Number(new URL(origin).port) };
  const room = `scale-fan-out-${Date.now().toString(36)}`;
  let cursor = await initialCursor(origin, agent, room, timeoutMs);
  const pool = new Array(waiters);
  const completions = [];
  const latencies = [];
  let received = 0;
  let expected = 0;
  let reconnected = 0;
  /** Answers without the message, by what they were instead. */
  const missed = {};
  try {
    for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
      const text = `fan-out round ${roundIndex}`;
      const needle = JSON.stringify(text);
      const path = `${messagesPath}?room=${room}&after=${cursor}`;
      const armDeadline = performance.now() + rampTimeoutMs;
      reconnected += await connectAll(pool, target, armDeadline); // none at the first round: every slot is empty
      let posted = false;
      let postedAt = Infinity;
      let last = 0;
      let answered = 0;
      let allAnswered;
      const done = new Promise((resolve) => (allAnswered = resolve));
      const settle = () => ++answered === waiters && allAnswered();
      // A poll that fails before the post (the server closed its idle keep-alive connection just
      // as the poll was sent) is sent again on a new connection; after the post, a failure counts.
      const arm = (index, attempt) => {
        pool[index].request({ path }).then(
          (response) => {
            if (response.status === 200 && response.body.includes(needle)) {
              received += 1;
              const latency = response.doneAt - postedAt;
              latencies.push(latency);
              last = Math.max(last, latency);
            } else {
              const key = response.status === 200 ? `200 ${response.body.slice(0, 60)}` : String(response.status);
              missed[key] = (missed[key] ?? 0) + 1;
            }
            settle();
          },
          async () => {
            if (posted || attempt >= 3 || performance.now() > armDeadline) {
              missed['no answer'] = (missed['no answer'] ?? 0) + 1;
              return settle();
            }
            reconnected += 1;
            pool[index] = await new Connection(target).connect().catch(() => pool[index]);
            arm(index, attempt + 1);
          },
        );
      };
      for (let index = 0; index < waiters; index += 1) arm(index, 0);
      const held = await waitUntilHeld(target, processes, waiters, armDeadline);
      if (held.total < waiters) {
        throw new Error(`only ${held.total} of ${waiters} polls were held (${held.processes} of ${processes} processes reported) after ${rampTimeoutMs / 1_000} s`);
      }
      await sleep(settleMs);
      postedAt = performance.now();
      posted = true;
      const post = await request(origin, agent, 'POST', messagesPath, { room, text }, timeoutMs);
      if (post.status !== 201) throw new Error(`fan-out post answered ${post.status}: ${String(post.body).slice(0, 200)}`);
      const finished = await Promise.race([done.then(() => true), sleep(timeoutMs).then(() => false)]);
      expected += waiters;
      completions.push(last);
      const message = JSON.parse(post.body);
      cursor = message.epoch === undefined ? message.id : `${message.epoch}.${message.id}`; // a store without epochs: a bare id
      if (!finished) throw new Error(`round ${roundIndex}: ${waiters - answered} of ${waiters} polls were not answered within ${timeoutMs / 1_000} s of the post`);
    }
  } finally {
    for (const connection of pool) connection?.close();
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    waiters,
    rounds,
    expected,
    received,
    completeMs: round(percentile(Float64Array.from(completions).sort(), 0.5)),
    perRoundMs: completions.map((ms) => round(ms)),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    /** Connections opened again because the server had closed them (idle keep-alive) between rounds. */
    reconnected,
    missed,
  };
}

/** Handshakes in flight at once while the fan-out's connections are opened. */
const CONNECT_BATCH = 200;

/**
 * Opens a connection in every empty or closed slot of `pool`, `CONNECT_BATCH` at a time, each
 * retried until `deadline`. Resolves with how many closed connections were opened again.
 */
async function connectAll(pool, target, deadline) {
  const todo = [];
  for (let index = 0; index < pool.length; index += 1) if (!pool[index] || pool[index].closed) todo.push(index);
  const reopened = todo.filter((index) => pool[index]).length;
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const index = todo[next++];
      for (let attempt = 0; ; attempt += 1) {
        try {
          pool[index] = await new Connection(target).connect();
          break;
        } catch (error) {
          if (performance.now() > deadline) throw new Error(`could not open connection ${index + 1} of ${pool.length}: ${error.message}`);
          await sleep(Math.min(1_000, 50 * 2 ** attempt)); // backoff: the server is busy accepting others
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, todo.length) }, worker));
  return reopened;
}

/**
 * Waits until the processes together hold `wanted` polls, or until `deadline`. Each check asks
 * /api/stats on fresh connections until every process has answered (`X-Served-By` names it),
 * and adds up each one's `chatWaiters`. Resolves `{ total, processes }` from the last check.
 */
async function waitUntilHeld(target, processes, wanted, deadline) {
  let latest = { total: 0, processes: 0 };
  for (;;) {
    const byProcess = new Map();
    for (let ask = 0; ask < processes * 4 && byProcess.size < processes; ask += 1) {
      const answer = await requestOnce(target, { path: '/api/stats' }).catch(() => undefined);
      if (answer?.status === 200) byProcess.set(answer.headers['x-served-by'], JSON.parse(answer.body).gauges.chatWaiters ?? 0);
    }
    latest = { total: [...byProcess.values()].reduce((sum, held) => sum + held, 0), processes: byProcess.size };
    if ((latest.processes === processes && latest.total >= wanted) || performance.now() > deadline) return latest;
    await sleep(200);
  }
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
