import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** How often a start is retried when another process took the chosen port first. */
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;

export interface TestRedis {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it writes nothing, `--save ''`) and removes its folder. */
  stop(): Promise<void>;
  /** Stops it, keeping its folder (the append-only file), to simulate an outage. */
  pause(): Promise<void>;
  /** Starts it again on the same port and folder after `pause()`: every acknowledged write is back. */
  resume(): Promise<void>;
  output(): string;
}

/**
 * Starts Debian's `redis-server` for one test file: loopback only, its own temporary folder,
 * no snapshots, and an append-only file synced before each write is acknowledged
 * (`appendfsync always`), the setting under which "acknowledged" means "on disk".
 * Redis cannot pick a free port itself (no port 0): one is found beforehand, and the start is
 * retried on another if someone took it meanwhile.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'comet-lessons-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  let output = '';

  const launch = async (chosen: number): Promise<boolean> => {
    output = '';
    const started = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout!.on('data', (chunk) => (output += chunk));
    started.stderr!.on('data', (chunk) => (output += chunk));
    return await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
      const onData = () => {
        if (/Ready to accept connections/.test(output)) finish(true);
      };
      const finish = (ready: boolean) => {
        clearTimeout(timer);
        started.stdout!.off('data', onData);
        resolve(ready);
      };
      started.stdout!.on('data', onData);
      started.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new Error(
            `Cannot start redis-server (${error.message}). Install it: apt-get update && apt-get install -y redis-server`,
          ),
        );
      });
      started.once('exit', () => finish(false)); // "Address already in use", most likely
    });
  };

  const start = async (fixedPort?: number) => {
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt += 1) {
      const chosen = fixedPort ?? (await freePort());
      if (await launch(chosen)) {
        port = chosen;
        return;
      }
      if (fixedPort === undefined && !/already in use/i.test(output)) break;
    }
    throw new Error(`redis-server did not start:\n${output}`);
  };

  const stopChild = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const killer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };

  await start();
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
    pause: stopChild,
    async resume() {
      // The port was ours a moment ago; if another process grabbed it, this start fails loudly.
      for (let attempt = 0; attempt < START_ATTEMPTS; attempt += 1) {
        if (await launch(port)) return;
      }
      throw new Error(`redis-server did not start again on port ${port}:\n${output}`);
    },
    output: () => output,
  };
}

/** A port that was free a moment ago: the kernel picks it for a listener we close at once. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
