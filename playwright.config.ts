import { defineConfig, devices } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from './src/server/runtime-flags.ts';

// Browser tests run in the machine's Chromium (found or installed by scripts/find-chromium.mjs)
// against the built site, served on its own port with its own data folder.
// A free port unless E2E_PORT names one; kept in the environment, because worker processes
// re-read this file and must reach the same server.
process.env.E2E_PORT ??= freeLoopbackPort();
const port = Number(process.env.E2E_PORT);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'comet-lessons-e2e-'));
process.env.E2E_DATA_DIR = dataDir; // worker processes re-read this file: keep one folder

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: `test-results/${path.basename(process.env.BUILD_DIR || 'dist')}`,
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'] } },
    // A phone (390 × 844, touch), for the specs where the narrow screen matters: reading, accessibility and the live demos.
    {
      name: 'phone',
      testMatch: /(accessibility|reading|chat|many-tabs|clock|sse|reconnect)\.spec\.ts$/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
    },
  ],
  webServer: {
    command: ['node', ...SERVER_NODE_FLAGS, 'scripts/serve.ts'].join(' '), // as npm start runs it
    url: `http://127.0.0.1:${port}/api/stats`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ASTRO_NODE_LOGGING: 'disabled' },
  },
});

/** A port the kernel has just handed out on 127.0.0.1 (asked of a child, as this file must load synchronously). */
function freeLoopbackPort(): string {
  const script = "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });";
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim();
}
