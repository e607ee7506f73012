import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Browser tests run in the machine's Chromium (found or installed by scripts/find-chromium.mjs)
// against the built site, served on its own port with its own data folder.
const port = Number(process.env.E2E_PORT ?? 4391);
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
    // A phone (390 × 844, touch), for the specs where the narrow screen matters: reading and accessibility.
    {
      name: 'phone',
      testMatch: /(accessibility|reading)\.spec\.ts$/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
    },
  ],
  webServer: {
    command: 'node scripts/serve.mjs',
    url: `http://127.0.0.1:${port}/api/stats`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ASTRO_NODE_LOGGING: 'disabled' },
  },
});
