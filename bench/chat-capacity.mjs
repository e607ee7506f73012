// Chat capacity on loopback, in one bounded run: how many idle long polls one server holds
// (and its memory while holding them), and how long one message takes to reach 1,000 of them.
//
//   npm run build && node bench/chat-capacity.mjs [--waiters=1000,5000] [--fan-out=1000] [--rounds=3]
//   node bench/chat-capacity.mjs --server=bench/reference/chat-server.mjs   (the same, against another server)
//
// Starts the built server (BUILD_DIR, default dist/) on a free loopback port with its own
// temporary data folder, RATE_LIMITS=off (every client here shares one address) and a poll
// timeout longer than the run, measures, stops it, and prints a JSON result. Every wait is
// bounded; the whole run gives up after 3 minutes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from '../src/server/runtime-flags.ts';

const root = path.resolve(import.meta.dirname, '..');
const option = (name, fallback) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const idleLevels = option('waiters', '1000,5000').split(',').map(Number);
const fanOutClients = Number(option('fan-out', '1000'));
const rounds = Number(option('rounds', '3'));
const serverScript = option('server', 'scripts/serve.ts');
const RUN_DEADLINE_MS = 180_000;
const OPEN_BATCH = 250; // connections opened at once: stays well inside the listen backlog

const host = '127.0.0.1';
const port = await freePort();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'comet-chat-capacity-'));
const maxWaiters = Math.max(...idleLevels, fanOutClients) + 100;
// The site runs with the Node flags `npm start` gives it; another server with Node's defaults.
const nodeArgs = serverScript === 'scripts/serve.ts' ? SERVER_NODE_FLAGS : [];
const server = spawn(process.execPath, [...nodeArgs, serverScript], {
  cwd: root,
  env: {
    ...process.env,
    HOST: host,
    PORT: String(port),
    DATA_DIR: dataDir,
    RATE_LIMITS: 'off',
    MAX_WAITERS: String(maxWaiters),
    POLL_TIMEOUT_MS: String(RUN_DEADLINE_MS),
    ASTRO_NODE_LOGGING: 'disabled',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const deadline = setTimeout(() => finish(new Error(`the run took longer than ${RUN_DEADLINE_MS / 1000} s`)), RUN_DEADLINE_MS);

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const open = new Set(); // client requests still held

function request(method, pathAndQuery, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: pathAndQuery, agent, headers: body ? { 'Content-Type': 'application/json' } : {} });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), at: performance.now() }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** Opens `count` polls in `room` after `cursor`, in batches; resolves once all are connected. */
async function openPolls(room, cursor, count) {
  const answers = [];
  for (let started = 0; started < count; started += OPEN_BATCH) {
    const connected = [];
    for (let i = started; i < Math.min(count, started + OPEN_BATCH); i++) {
      const req = http.request({ host, port, path: `/api/chat/messages?room=${room}&after=${cursor}`, agent });
      open.add(req);
      const answer = new Promise((resolve) => {
        req.on('response', (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => {
            open.delete(req);
            resolve({ at: performance.now(), status: res.statusCode, body: Buffer.concat(chunks).toString() });
          });
        });
        req.on('error', () => resolve({ at: performance.now(), status: 0, body: '' }));
      });
      connected.push(new Promise((resolve) => req.once('socket', (socket) => socket.once('connect', resolve))));
      answers.push(answer);
      req.end();
    }
    await Promise.all(connected);
  }
  return answers;
}

async function stats() {
  return JSON.parse((await request('GET', '/api/stats')).body);
}

async function waitForGauge(name, value, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await stats();
    if (snapshot.gauges[name] === value) return snapshot;
    if (Date.now() > until) throw new Error(`${name} stayed at ${snapshot.gauges[name]}, expected ${value}`);
    await sleep(100);
  }
}

function releaseAll() {
  for (const req of open) req.destroy();
  open.clear();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function measure() {
  await waitUntilServing();
  // Warm up: the first requests load the chat modules and replay its (empty) log.
  for (let i = 0; i < 20; i++) await request('GET', '/api/chat/messages?room=warm-up');
  await sleep(1_000);
  const baseline = (await stats()).process;

  const idle = [];
  let held = 0;
  for (const level of idleLevels) {
    const startedAt = performance.now();
    await openPolls('idle', '0.0', level - held);
    held = level;
    const snapshot = await waitForGauge('chatWaiters', level);
    const openMs = Math.round(performance.now() - startedAt);
    await sleep(2_000); // let the counts settle, then read what the server holds
    const settled = await stats();
    idle.push({
      waiters: settled.gauges.chatWaiters,
      openedInMs: openMs,
      rssMiB: mib(settled.process.rssBytes),
      heapUsedMiB: mib(settled.process.heapUsedBytes),
      rssPerWaiterKiB: Math.round(((settled.process.rssBytes - baseline.rssBytes) / level / 1024) * 10) / 10,
      cpuPercentWhileIdle: settled.process.cpuPercent,
      reachedAtFirstCheck: snapshot.gauges.chatWaiters === level,
    });
  }
  releaseAll();
  await waitForGauge('chatWaiters', 0);

  const fanOut = [];
  let cursor = '0.0'; // the cursor contract: EPOCH.ID, and 0.0 before a room's first message
  for (let round = 1; round <= rounds; round++) {
    const answers = await openPolls('fan-out', cursor, fanOutClients);
    await waitForGauge('chatWaiters', fanOutClients);
    await sleep(500);
    const sentAt = performance.now();
    const posted = await request('POST', '/api/chat/messages', { text: `round ${round}`, room: 'fan-out' });
    const stored = JSON.parse(posted.body ?? '{}');
    cursor = `${stored.epoch}.${stored.id}`;
    const results = await Promise.all(answers);
    const delivered = results.filter((result) => result.status === 200 && JSON.parse(result.body).messages?.[0]?.id === round);
    const times = results.map((result) => result.at - sentAt).sort((a, b) => a - b);
    fanOut.push({
      clients: fanOutClients,
      delivered: delivered.length,
      postAcknowledgedMs: round2(posted.at - sentAt),
      p50Ms: round2(percentile(times, 50)),
      p99Ms: round2(percentile(times, 99)),
      lastMs: round2(times.at(-1)),
    });
    await waitForGauge('chatWaiters', 0);
  }

  return {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
    baseline: { rssMiB: mib(baseline.rssBytes), heapUsedMiB: mib(baseline.heapUsedBytes) },
    idle,
    fanOut,
  };
}

const round2 = (value) => Math.round(value * 100) / 100;

async function waitUntilServing() {
  const until = Date.now() + 15_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`);
    try {
      if ((await request('GET', '/api/stats')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error('the server did not start within 15 s (is there a build? npm run build)');
    await sleep(100);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
}

function finish(error, result) {
  clearTimeout(deadline);
  releaseAll();
  const done = () => {
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
    if (error) {
      console.error(`chat-capacity failed: ${error.message}`);
      process.exit(1);
    }
    console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  };
  const killer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  if (server.exitCode !== null || server.signalCode !== null) return done();
  server.once('exit', done);
  server.kill('SIGTERM');
}

measure().then(
  (result) => finish(undefined, result),
  (error) => finish(error),
);
