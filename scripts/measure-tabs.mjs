#!/usr/bin/env node
/**
 * Measures what many lesson tabs cost one browser: ten tabs of the clock, chat, reconnection and
 * event-stream lessons in ONE Chromium context (they share its connections to the site, as tabs
 * of a real browser do), opened one after the other as a reader does: each new tab takes the
 * front and the one before goes to the background (hidden: `visibilityState`, faked by an init
 * script since headless pages are always visible, with a `freeze` event), and the first seven
 * are then frozen through the DevTools protocol's page lifecycle, the same way every run.
 * Then it reports:
 * - held requests the server holds for this browser (`/api/stats`: chat polls, event streams, clock frames),
 * - how long a chat POST from each active tab takes,
 * - how long an eleventh tab takes to load.
 *
 * Usage: node scripts/measure-tabs.mjs --origin http://127.0.0.1:PORT   (a running server of the build to measure)
 * Prints one JSON object. Figures depend on the machine: they are reported, never asserted.
 */
import { chromium } from '@playwright/test';

const TABS = 10;
const FROZEN = 7;
const LESSONS = ['forever-frame', 'long-poll-chat', 'reconnection', 'beyond'];
const SETTLE_MS = 5_000;
const GIVE_UP_MS = 120_000;

const origin = process.argv[process.argv.indexOf('--origin') + 1];
if (!origin || !origin.startsWith('http')) {
  console.error('Usage: node scripts/measure-tabs.mjs --origin http://127.0.0.1:PORT');
  process.exit(2);
}
const room = `measure-${Math.random().toString(36).slice(2, 8)}`;

const heldNow = async () => {
  const { gauges } = await (await fetch(`${origin}/api/stats`)).json();
  return { chatPolls: gauges.chatWaiters ?? 0, eventStreams: gauges.sseStreams ?? 0, clockFrames: gauges.clockStreams ?? 0 };
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--no-first-run'],
});
try {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
    window.toBackground = () => {
      hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
      document.dispatchEvent(new Event('freeze'));
    };
  });
  const pages = [];
  const tabLoadMs = [];
  for (let i = 0; i < TABS; i++) {
    const page = await context.newPage();
    const startedAt = performance.now();
    await page.goto(`${origin}/lessons/${LESSONS[i % LESSONS.length]}/?room=${room}`, { waitUntil: 'load', timeout: GIVE_UP_MS }).catch(() => undefined);
    tabLoadMs.push(Math.round(performance.now() - startedAt));
    // The new tab takes the front of the window: the one before goes to the background.
    await pages.at(-1)?.evaluate(() => window.toBackground()).catch(() => undefined);
    pages.push(page);
  }
  for (const page of pages.slice(0, FROZEN)) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const held = await heldNow();

  const postMs = [];
  for (const page of pages.slice(FROZEN)) {
    postMs.push(
      await page
        .evaluate(
          async ({ room, giveUpMs }) => {
            const startedAt = performance.now();
            const response = await fetch('/api/chat/messages', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ room, text: 'measured post' }),
              signal: AbortSignal.timeout(giveUpMs),
            });
            return response.ok ? Math.round(performance.now() - startedAt) : `status ${response.status}`;
          },
          { room, giveUpMs: GIVE_UP_MS },
        )
        .catch((error) => `failed: ${error.message.split('\n')[0]}`),
    );
  }

  const extra = await context.newPage();
  const startedAt = performance.now();
  const loaded = await extra
    .goto(`${origin}/lessons/long-poll-chat/?room=${room}`, { waitUntil: 'load', timeout: GIVE_UP_MS })
    .then(() => true, () => false);
  const newTabLoadMs = loaded ? Math.round(performance.now() - startedAt) : `not loaded after ${GIVE_UP_MS} ms`;

  const browserSide = await pages.at(-1).evaluate(() => document.querySelector('tabs-connection-panel') ? 'panel present' : 'no panel').catch(() => 'n/a');
  console.log(JSON.stringify({ origin, tabs: TABS, frozen: FROZEN, held, heldTotal: held.chatPolls + held.eventStreams + held.clockFrames, postMs, newTabLoadMs, tabLoadMs, browserSide }, null, 2));
  await context.close();
} finally {
  await browser.close();
}
