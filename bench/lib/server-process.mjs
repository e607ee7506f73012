// Starts the server under test (the built site, the bare reference or Socket.IO) as a child process
// on a free loopback port with its own data folder, and stops it again. Every child is
// tracked so the bench can kill them all on exit, on error and on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, reconnectingClient } from './raw-http.mjs';
import { SERVER_NODE_FLAGS } from '../../src/server/runtime-flags.ts';
import { readCpuNanoseconds, readOpenFileLimit, readRssBytes } from './proc-stats.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const probe = path.join(root, 'bench/lib/server-probe.mjs');
const live = new Set();
/** What the started servers ran under, for the result file. */
export const observed = { openFileLimit: undefined };

const dataDirs = new Set();

/** Kills every server still running and removes their data folders; safe in an exit handler (synchronous). */
export function killAllServers() {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}

export const SERVERS = {
  site: { label: 'site', script: 'scripts/serve.ts', nodeArgs: SERVER_NODE_FLAGS },
  // The site under Node's default V8 flags: how much of its figures the flags account for.
  'site-default-flags': { label: 'site, Node’s default V8 flags', script: 'scripts/serve.ts', nodeArgs: [] },
  reference: { label: 'bare node:http', script: 'bench/reference/chat-server.mjs' },
  'socket-io': { label: 'Socket.IO 4.8 (polling)', script: 'bench/reference/socket-io-server.mjs' },
  // The same Socket.IO server under the site's V8 flags: how much of the difference is the flags.
  'socket-io-tuned': { label: 'Socket.IO 4.8 (polling), site’s V8 flags', script: 'bench/reference/socket-io-server.mjs', nodeArgs: SERVER_NODE_FLAGS },
};

/** How long a server may take to bind its port and answer /api/stats. */
const START_TIMEOUT_MS = 20_000;

/**
 * Starts a server on port 0 (the kernel picks a free port; the server reports it over IPC as
 * `{ listening: port }`, as scripts/serve.ts does) and waits until it answers /api/stats.
 * @param {'site' | 'reference' | 'socket-io'} kind
 * @param {{ env?: Record<string, string>, nodeArgs?: string[] }} options
 */
export async function startServer(kind, { env = {}, nodeArgs = [] } = {}) {
  const { script } = SERVERS[kind];
  const dataDir = mkdtempSync(path.join(tmpdir(), `comet-bench-${kind}-`));
  dataDirs.add(dataDir);
  let output = '';
  const child = spawn(process.execPath, [...(SERVERS[kind].nodeArgs ?? []), ...nodeArgs, '--import', probe, script], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      ASTRO_NODE_LOGGING: 'disabled',
      QUIET: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  live.add(child);
  child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => live.delete(child));

  const deadline = performance.now() + START_TIMEOUT_MS;
  const port = await new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), START_TIMEOUT_MS);
    const onMessage = (message) => typeof message?.listening === 'number' && finish(message.listening);
    const finish = (value) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    };
    child.on('message', onMessage);
    exited.then(() => finish(undefined));
  });
  if (port === undefined) {
    child.kill('SIGKILL');
    throw new Error(`the ${kind} server did not report its port within ${START_TIMEOUT_MS / 1_000} s:\n${output}`);
  }
  const target = { host: '127.0.0.1', port };
  const control = reconnectingClient(target); // for /api/stats

  const server = {
    kind,
    pid: child.pid,
    target,
    output: () => output,
    openFileLimit: () => readOpenFileLimit(child.pid),
    rssBytes: () => readRssBytes(child.pid),
    cpuNanoseconds: () => readCpuNanoseconds(child.pid),
    /** Stat calls counted by the probe since the server started. */
    statCalls: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error('the server did not report its stat calls'));
        }, 5_000);
        // The server sends other messages on the same channel (its port, once bound): wait for ours.
        const onMessage = (message) => {
          if (typeof message?.statCalls !== 'number') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.statCalls);
        };
        child.on('message', onMessage);
        child.send('stat-calls');
      }),
    /** Every file sync the probe timed since the server started: `[{ method, ms, lines }]`. */
    logSyncs: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error('the server did not report its file syncs'));
        }, 5_000);
        const onMessage = (message) => {
          if (!Array.isArray(message?.logSyncs)) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.logSyncs);
        };
        child.on('message', onMessage);
        child.send('log-syncs');
      }),
    /** GET /api/stats, parsed; one at a time. */
    stats: async () => JSON.parse((await control.request({ path: '/api/stats' })).body),
    async stop() {
      control.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
      dataDirs.delete(dataDir);
    },
  };

  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${kind} server exited with code ${child.exitCode}:\n${output}`);
    try {
      const probeConnection = await new Connection(target).connect();
      const response = await probeConnection.request({ path: '/api/stats' });
      probeConnection.close();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await server.stop();
      throw new Error(`the ${kind} server did not answer /api/stats within ${START_TIMEOUT_MS / 1_000} s:\n${output}`);
    }
    await sleep(50);
  }
  observed.openFileLimit ??= server.openFileLimit();
  return server;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
