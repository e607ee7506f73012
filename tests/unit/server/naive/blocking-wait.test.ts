import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** How long the ping may take before we call the server stalled; loopback answers in a few ms. */
const STALL_MS = 500;
const FILE_SECOND = 1_000;
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Starts the stall server in its own process; resolves once it listens. */
async function startStallServer(mode: 'blocking' | 'timers', file: string) {
  const child = spawn(process.execPath, ['tests/support/naive-stall-server.ts', mode, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let output = '';
  const listeners: Array<() => void> = [];
  const onOutput = (chunk: Buffer) => {
    output += chunk;
    listeners.splice(0).forEach((listener) => listener());
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const lineContaining = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output.split('\n').find((candidate) => candidate.includes(text));
        if (line) resolve(line);
        else if (child.exitCode !== null) reject(new Error(`stall server exited:\n${output}`));
        else listeners.push(check);
      };
      check();
    });
  const port = Number((await lineContaining('listening ')).split(' ')[1]);
  return { origin: `http://127.0.0.1:${port}`, lineContaining };
}

/**
 * One client waits for the file to change; while it waits, another asks for /ping.
 * Returns whether the ping was answered before the file changed, and the order of the answers.
 */
async function waitThenPing(mode: 'blocking' | 'timers') {
  const folder = mkdtempSync(path.join(tmpdir(), 'comet-lessons-naive-stall-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'naive-chat.txt');
  writeFileSync(file, 'old');
  utimesSync(file, FILE_SECOND, FILE_SECOND);
  const server = await startStallServer(mode, file);

  const answers: string[] = [];
  const wait = fetch(`${server.origin}/wait?timestamp=${FILE_SECOND}`).then(async (response) => {
    answers.push('wait');
    return response.json();
  });
  await server.lineContaining('waiting');
  const ping = fetch(`${server.origin}/ping`).then(async (response) => {
    answers.push('ping');
    return response.text();
  });
  const pingBeforeChange = await Promise.race([
    ping.then(() => 'answered' as const),
    new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), STALL_MS)),
  ]);

  const now = Date.now() / 1_000;
  utimesSync(file, now, now); // the waiting client's news arrives
  const [waited, pong] = await Promise.all([wait, ping]);
  expect(waited).toEqual({ timestamp: Math.floor(now) });
  expect(pong).toBe('pong');
  return { pingBeforeChange, answers };
}

describe('a literal, blocking port of the wait loop', () => {
  it('freezes every other request while one client waits', async () => {
    const { pingBeforeChange, answers } = await waitThenPing('blocking');
    expect(pingBeforeChange).toBe('stalled');
    expect(answers).toEqual(['wait', 'ping']); // the ping could only be answered once the loop let go
  }, 15_000);

  it('the timer-based port answers other requests while a client waits', async () => {
    const { pingBeforeChange, answers } = await waitThenPing('timers');
    expect(pingBeforeChange).toBe('answered');
    expect(answers).toEqual(['ping', 'wait']);
  }, 15_000);
});
