import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The bench process of a smoke test, so its `afterAll` can stop it. */
let running: ChildProcess | undefined;

/**
 * Runs `node bench/run.mjs …args` from the repository root (BUILD_DIR picks the build, as for
 * every HTTP test) and resolves with its exit code and everything it printed.
 */
export function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.mjs', ...args], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/**
 * Stops a bench that is still running: a failed or timed-out test must not leave it (and the
 * servers it started) behind. SIGINT makes the bench stop its servers and exit.
 */
export function stopBench(): void {
  if (running && running.exitCode === null) running.kill('SIGINT');
}
