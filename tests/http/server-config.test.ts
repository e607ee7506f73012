import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Starts scripts/serve.ts with `env` and waits for it to exit (or to say it listens). */
function startWith(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; listened: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/serve.ts'], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'comet-config-')), ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stdout = '';
    let stderr = '';
    let listened = false;
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('message', (message) => {
      if (typeof (message as { listening?: unknown }).listening === 'number') {
        listened = true;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr, listened }));
  });
}

describe('configuration is checked before the server listens', () => {
  it.each([
    ['MAX_WAITERS', '-1'],
    ['MESSAGE_MAX_CHARS', '600'],
    ['POLL_TIMEOUT_MS', 'abc'],
    ['HEADERS_TIMEOUT_MS', 'abc'],
    ['PORT', '99999'],
    ['TRUST_PROXY', 'maybe'],
    ['ALLOWED_ORIGINS', 'comet.example'],
    ['ALLOWED_HOSTS', 'evil.example/path'],
    ['BODY_MAX_BYTES', '1.5'],
  ])('%s=%s: exit 1 before listening, with one line naming the variable, the value and what is expected', async (name, value) => {
    const { code, stdout, stderr, listened } = await startWith({ [name]: value });
    expect(listened).toBe(false);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(lines[0]).toContain(JSON.stringify(value));
    expect(lines[0]).toMatch(/expected /);
    expect(lines[0]).not.toMatch(/\bat \S+:\d+/); // no stack
  });

  it('valid settings start a server that says where it serves', async () => {
    const { code, stdout, listened } = await startWith({ MAX_WAITERS: '5', ASTRO_NODE_LOGGING: '' });
    expect(listened).toBe(true);
    expect(code).toBe(0);
    expect(stdout).toMatch(/serving at http:\/\/127\.0\.0\.1:\d+\//);
  });
});
