import { spawn, type ChildProcess } from 'node:child_process';
import { SERVER_NODE_FLAGS } from '../../src/server/runtime-flags.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  dataDir: string;
  url(pathAndQuery: string): string;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Stops (or, with `crash`, kills without warning) and starts again on the same port and data folder. */
  restart(options?: { crash?: boolean }): Promise<void>;
  /** Kills the process without warning (SIGKILL) and leaves it down. */
  crash(): Promise<void>;
  /** Starts it again after crash(), on the same port and data folder. */
  start(): Promise<void>;
  output(): string;
  /** How the process last ended: its exit code, or the signal that killed it; `undefined` while it runs. */
  readonly lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The server process's id (for tools such as prlimit). */
  readonly pid: number | undefined;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  dataDir?: string;
}

/** Starts the built site through `scripts/serve.ts` on a free loopback port with its own data folder. */
export async function startTestServer({ env = {}, dataDir }: TestServerOptions = {}): Promise<TestServer> {
  // Port 0 on the first start: the server picks a free port and reports it, so parallel test
  // files never race for one. Restarts reuse it, as a real restart would.
  let port = 0;
  let origin = '';
  const folder = dataDir ?? mkdtempSync(path.join(tmpdir(), 'comet-lessons-test-'));
  const ownsFolder = dataDir === undefined;
  let child: ChildProcess | undefined;
  let output = '';
  let lastExit: TestServer['lastExit'];

  const launch = async () => {
    child = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'scripts/serve.ts'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: folder,
        ASTRO_NODE_LOGGING: 'disabled',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    port = await listeningPort(child, () => output);
    origin = `http://127.0.0.1:${port}`;
    await waitUntilServing(origin, child, () => output);
  };

  const stopChild = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      running.once('exit', (code, signal) => {
        lastExit = { code, signal };
        resolve();
      }),
    );
    running.kill(signal);
    const killer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };

  await launch();
  return {
    get origin() {
      return origin;
    },
    dataDir: folder,
    url: (pathAndQuery) => `${origin}${pathAndQuery}`,
    async stop() {
      await stopChild();
      if (ownsFolder) rmSync(folder, { recursive: true, force: true });
    },
    async restart({ crash = false } = {}) {
      await stopChild(crash ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
    async crash() {
      await stopChild('SIGKILL');
    },
    start: launch,
    output: () => output,
    get lastExit() {
      return lastExit;
    },
    get pid() {
      return child?.pid;
    },
  };
}

/** Waits for the server's `{ listening: port }` message (scripts/serve.ts sends it once bound). */
function listeningPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`test server did not report its port within 15 s:\n${output()}`)), 15_000);
    const onMessage = (message: unknown) => {
      const port = (message as { listening?: unknown })?.listening;
      if (typeof port !== 'number') return;
      cleanup();
      resolve(port);
    };
    const onExit = (code: number | null) => fail(new Error(`test server exited with code ${code}:\n${output()}`));
    const fail = (error: Error) => {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function waitUntilServing(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`test server exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${origin}/api/stats`);
      if (response.ok) return;
    } catch {
      // not listening yet: try again shortly
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`test server did not start within 15 s:\n${output()}`);
}

/** Reads `/api/stats` gauges. */
export async function readGauges(server: TestServer): Promise<Record<string, number>> {
  const response = await fetch(server.url('/api/stats'));
  return ((await response.json()) as { gauges: Record<string, number> }).gauges;
}

/** Polls until `check` passes or the time runs out; for state that settles asynchronously on the server. */
export async function eventually<T>(check: () => Promise<T>, { timeoutMs = 5_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
