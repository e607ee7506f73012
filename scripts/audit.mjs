// npm run audit: axe-core and Lighthouse (mobile) on every page of the built site, plus the
// main-thread time each page uses while it sits idle, printed as one table.
//
//   npm run build && npm run audit
//   npm run audit -- --only /lessons/reconnection/   (one page)
//   npm run audit -- --no-lighthouse                 (axe and idle time only)
//
// The built site (BUILD_DIR, default dist/) is served by scripts/serve.ts on a free port of
// 127.0.0.1 with a fresh data folder. Chromium: CHROMIUM_PATH or the machine's (scripts/find-chromium.mjs).
//
// How each figure is taken, the same way every time:
// - axe: WCAG 2.2 A/AA and best-practice rules, at 1280×900 and 390×844, light and dark, widgets
//   running; violations counted per rule (frames left out, as in tests/e2e/accessibility.spec.ts).
// - idle: the page is loaded at 1280×900, left 3 s to settle, then its main-thread task time
//   (Chrome's TaskDuration) is read over the next 10 s, widgets running. Target: < 50 ms.
// - Lighthouse: its default mobile run (simulated slow 4G, mid-range phone). Widgets that hold
//   or repeat requests would keep the network busy for the whole run, so every widget is paused:
//   its custom element is never defined (PAUSE_WIDGETS_SCRIPT) and the page is measured as
//   served, before any widget starts. The 404 page is skipped (Lighthouse refuses a 404 status).
import AxeBuilder from '@axe-core/playwright';
import { chromium } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { SERVER_NODE_FLAGS } from '../src/server/runtime-flags.ts';
import { provisionChromium } from './find-chromium.mjs';
import { sitePaths } from './site-pages.mjs';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const IDLE_SETTLE_MS = 3_000;
const IDLE_WINDOW_MS = 10_000;
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/** Runs before any page script: widget elements (`*-demo`, `live-server-stats`) are never defined, so no widget starts. */
const PAUSE_WIDGETS_SCRIPT = `(() => {
  const define = customElements.define.bind(customElements);
  customElements.define = (name, constructor, options) => {
    if (name.endsWith('-demo') || name === 'live-server-stats') return;
    define(name, constructor, options);
  };
})();`;

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const withLighthouse = !args.includes('--no-lighthouse');

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startSite() {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'comet-lessons-audit-'));
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'scripts/serve.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ASTRO_NODE_LOGGING: 'disabled' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${origin}/api/stats`)).ok) break;
    } catch {
      if (attempt > 100 || child.exitCode !== null) throw new Error('the site did not start (see above)');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    origin,
    stop() {
      child.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function axeCounts(browser, url) {
  const counts = {};
  const details = [];
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of ['light', 'dark']) {
      const context = await browser.newContext({ viewport, colorScheme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).exclude('iframe').options({ iframes: false }).setLegacyMode(true).analyze();
      counts[`${device} ${colorScheme}`] = violations.length;
      for (const violation of violations) details.push(`${device} ${colorScheme}: ${violation.id} (${violation.nodes.length} nodes)`);
      await context.close();
    }
  }
  return { counts, details };
}

async function idleMainThreadMs(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(IDLE_SETTLE_MS);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration').value;
  const before = await taskSeconds();
  await page.waitForTimeout(IDLE_WINDOW_MS);
  const after = await taskSeconds();
  await context.close();
  return Math.round((after - before) * 1000);
}

async function lighthouseScores(chromePort, url) {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chromePort}` });
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(PAUSE_WIDGETS_SCRIPT);
  try {
    const result = await lighthouse(url, { port: chromePort, output: 'json', logLevel: 'error' }, undefined, page);
    const { categories, runtimeError } = result.lhr;
    if (runtimeError) return { error: runtimeError.code };
    const score = (id) => Math.round((categories[id]?.score ?? 0) * 100);
    const failed = ['accessibility', 'best-practices', 'seo'].flatMap((id) =>
      categories[id].auditRefs
        .filter((ref) => ref.weight > 0 && result.lhr.audits[ref.id].score !== null && result.lhr.audits[ref.id].score < 1)
        .map((ref) => `${id}: ${ref.id}`),
    );
    return {
      failed, performance: score('performance'), accessibility: score('accessibility'), bestPractices: score('best-practices'), seo: score('seo') };
  } finally {
    await page.close();
    browser.disconnect();
  }
}

const executablePath = provisionChromium();
const paths = only ? [only] : sitePaths();
const site = await startSite();
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
const chrome = withLighthouse
  ? await chromeLauncher.launch({ chromePath: executablePath, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'] })
  : undefined;

const rows = [];
const notes = [];
try {
  for (const pagePath of paths) {
    const url = `${site.origin}${pagePath}`;
    process.stderr.write(`auditing ${pagePath} …\n`);
    const axe = await axeCounts(browser, url);
    notes.push(...axe.details.map((detail) => `${pagePath} ${detail}`));
    const idleMs = await idleMainThreadMs(browser, url);
    const scores = chrome && pagePath !== '/no-such-page/' ? await lighthouseScores(chrome.port, url) : undefined;
    notes.push(...(scores?.failed ?? []).map((audit) => `${pagePath} Lighthouse ${audit}`));
    rows.push({ pagePath, axe: axe.counts, idleMs, scores });
  }
} finally {
  await browser.close();
  chrome?.kill();
  site.stop();
}

const cell = (scores, key) => (scores ? (scores.error ? scores.error : String(scores[key])) : '–');
const lines = [
  '| Page | axe desktop light / dark | axe phone light / dark | LH perf | LH a11y | LH best practices | LH SEO | idle main thread (ms / 10 s) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(({ pagePath, axe, idleMs, scores }) =>
    `| ${pagePath} | ${axe['desktop light']} / ${axe['desktop dark']} | ${axe['phone light']} / ${axe['phone dark']} | ${cell(scores, 'performance')} | ${cell(scores, 'accessibility')} | ${cell(scores, 'bestPractices')} | ${cell(scores, 'seo')} | ${idleMs} |`,
  ),
];
console.log(lines.join('\n'));
if (notes.length) console.log(`\naxe violations and Lighthouse audits below 100:\n${notes.map((note) => `- ${note}`).join('\n')}`);
