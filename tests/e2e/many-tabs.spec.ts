import { expect, test, type Page } from '@playwright/test';
import { WIDGET_CONNECTION_SLOTS } from '../../src/client/tabs/connection-slots.ts';
import { HELD_CONNECTIONS_TARGET } from '../../src/client/tabs/held-connections.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Ten tabs of the clock, chat, reconnection and event-stream lessons in ONE browser context:
// they share its six connections to the site, as tabs of a real browser do. The first seven
// go to the background the same way every run, as a browser does with background tabs: hidden
// (`visibilityState`, faked by an init script, since headless pages are always visible), then
// `freeze` and frozen through the DevTools protocol's page lifecycle. Structural checks only:
// held requests counted by the server, answers received; the times are measured by
// scripts/measure-tabs.mjs.
const TABS = 10;
const FROZEN = 7;
const LESSONS = ['forever-frame', 'long-poll-chat', 'reconnection', 'beyond'];

const heldBy = async (server: TestServer) => {
  const { gauges } = (await (await fetch(server.url('/api/stats'))).json()) as { gauges: Record<string, number> };
  return (gauges.chatWaiters ?? 0) + (gauges.sseStreams ?? 0) + (gauges.clockStreams ?? 0);
};

const shownTexts = (page: Page) =>
  page.locator('[data-field="messages"] .chat-text').evaluateAll((items) => items.map((item) => item.textContent ?? ''));

test.describe('many tabs, one connection', () => {
  test('ten tabs hold at most the budget of connections; posts are answered, a new tab loads, every chat tab shows every message once', async ({ browser }) => {
    test.setTimeout(120_000);
    const server = await startTestServer();
    const context = await browser.newContext();
    try {
      const room = `mt-${Math.random().toString(36).slice(2, 8)}`;
      await context.addInitScript(() => {
        let hidden = false;
        Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
        Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
        (window as unknown as { toBackground: (on: boolean) => void }).toBackground = (on) => {
          hidden = on;
          document.dispatchEvent(new Event('visibilitychange'));
          document.dispatchEvent(new Event(on ? 'freeze' : 'resume')); // as the browser does around freezing
        };
      });
      const pages: Page[] = [];
      for (let i = 0; i < TABS; i++) {
        const page = await context.newPage();
        await page.goto(server.url(`/lessons/${LESSONS[i % LESSONS.length]}/?room=${room}`));
        pages.push(page);
      }
      const lifecycle = async (page: Page, state: 'frozen' | 'active') => {
        const cdp = await context.newCDPSession(page);
        if (state === 'frozen') await page.evaluate(() => (window as unknown as { toBackground: (on: boolean) => void }).toBackground(true));
        await cdp.send('Page.setWebLifecycleState', { state });
        if (state === 'active') await page.evaluate(() => (window as unknown as { toBackground: (on: boolean) => void }).toBackground(false));
      };
      for (const page of pages.slice(0, FROZEN)) await lifecycle(page, 'frozen');

      await expect.poll(() => heldBy(server), { timeout: 20_000 }).toBeLessThanOrEqual(HELD_CONNECTIONS_TARGET);

      // A post from every active tab is answered (none waits behind a held request for good).
      const texts: string[] = [];
      for (const [index, page] of pages.slice(FROZEN).entries()) {
        const text = `posted from active tab ${index}`;
        texts.push(text);
        const status = await page.evaluate(
          async ({ room, text }) =>
            (await fetch('/api/chat/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ room, text }) })).status,
          { room, text },
        );
        expect(status).toBe(201);
      }

      // A new tab loads and goes live.
      const extra = await context.newPage();
      await extra.goto(server.url(`/lessons/long-poll-chat/?room=${room}`));
      await expect(extra.locator('chat-demo [data-field="state"]')).toHaveText(/waiting|open/, { timeout: 20_000 });
      pages.push(extra);
      expect(await heldBy(server)).toBeLessThanOrEqual(HELD_CONNECTIONS_TARGET);

      // Every chat tab shows every message exactly once. The reader brings one tab after the
      // other to the front, as in a real window (the others stay in the background).
      for (const page of pages.slice(FROZEN)) await lifecycle(page, 'frozen');
      for (const page of pages) {
        await lifecycle(page, 'active');
        const widget = page.locator('chat-demo, reconnect-demo, sse-demo');
        if (await widget.count()) {
          await widget.first().scrollIntoViewIfNeeded();
          await expect.poll(() => shownTexts(page), { timeout: 30_000 }).toEqual(texts);
        }
        expect(await heldBy(server)).toBeLessThanOrEqual(HELD_CONNECTIONS_TARGET);
        await lifecycle(page, 'frozen');
      }
    } finally {
      await context.close();
      await server.stop();
    }
  });

  test('a visible tab of every lesson with a live widget, each widget on screen: the held requests stay within the budget, and a post reaches the chat at once', async ({ browser }) => {
    test.setTimeout(120_000);
    const server = await startTestServer();
    const context = await browser.newContext();
    try {
      const room = `all-${Math.random().toString(36).slice(2, 8)}`;
      const widgets = [
        ['long-poll-chat', 'chat-demo'],
        ['reconnection', 'reconnect-demo'],
        ['forever-frame', 'clock-demo'],
        ['beyond', 'sse-demo'],
        ['websocket', 'transport-demo'],
        ['scale-out', 'scale-out-demo'],
      ] as const;
      const pages: Page[] = [];
      for (const [lesson, widget] of widgets) {
        const page = await context.newPage();
        await page.goto(server.url(`/lessons/${lesson}/?room=${room}`));
        await page.locator(widget).first().scrollIntoViewIfNeeded();
        pages.push(page);
      }
      // Every listener of the scale-out demo has either connected (it names a process) or waits for a slot.
      const scaleOut = pages.at(-1)!.locator('scale-out-demo [data-cell="by"]');
      await expect.poll(async () => (await scaleOut.allTextContents()).every((text) => text !== '–'), { timeout: 20_000 }).toBe(true);
      await expect.poll(() => heldBy(server), { timeout: 20_000 }).toBeLessThanOrEqual(HELD_CONNECTIONS_TARGET);

      const text = `reaches the chat tab ${Date.now()}`;
      const status = await pages[0]!.evaluate(
        async ({ room, text }) =>
          (await fetch('/api/chat/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ room, text }) })).status,
        { room, text },
      );
      expect(status).toBe(201);
      await expect.poll(() => shownTexts(pages[0]!), { timeout: 10_000 }).toContain(text);
      expect(await heldBy(server)).toBeLessThanOrEqual(HELD_CONNECTIONS_TARGET);
    } finally {
      await context.close();
      await server.stop();
    }
  });

  test('tabs that are all visible (side-by-side windows) share the budget: the clocks beyond it wait, and take over when a slot is freed', async ({ browser }) => {
    test.setTimeout(90_000);
    const server = await startTestServer();
    const context = await browser.newContext();
    const held = async () => {
      const { gauges } = (await (await fetch(server.url('/api/stats'))).json()) as { gauges: Record<string, number> };
      return (gauges.sseStreams ?? 0) + (gauges.clockStreams ?? 0);
    };
    try {
      const pages: Page[] = [];
      for (let i = 0; i < WIDGET_CONNECTION_SLOTS + 2; i++) {
        const page = await context.newPage();
        await page.goto(server.url('/lessons/forever-frame/'));
        await page.locator('clock-demo').scrollIntoViewIfNeeded();
        pages.push(page);
      }
      const states = () => Promise.all(pages.map((page) => page.locator('clock-demo [data-field="state"]').textContent()));
      await expect.poll(async () => (await states()).filter((state) => state === 'open').length, { timeout: 20_000 }).toBe(WIDGET_CONNECTION_SLOTS);
      await expect.poll(async () => (await states()).filter((state) => /^waiting/.test(state ?? '')).length, { timeout: 20_000 }).toBe(2);
      expect(await held()).toBe(WIDGET_CONNECTION_SLOTS);
      // A tab that holds a slot closes: a waiting one takes it over, and the total stays within the budget.
      const holder = pages[(await states()).indexOf('open')]!;
      await holder.close();
      pages.splice(pages.indexOf(holder), 1);
      await expect.poll(async () => (await states()).filter((state) => state === 'open').length, { timeout: 20_000 }).toBe(WIDGET_CONNECTION_SLOTS);
      expect(await held()).toBeLessThanOrEqual(WIDGET_CONNECTION_SLOTS);
    } finally {
      await context.close();
      await server.stop();
    }
  });

  test('the lesson panel names the leading tab and counts this browser’s held requests', async ({ browser }) => {
    const server = await startTestServer();
    const context = await browser.newContext();
    try {
      const [first, second] = [await context.newPage(), await context.newPage()];
      await first.goto(server.url('/lessons/many-tabs/'));
      await second.goto(server.url('/lessons/many-tabs/'));
      await expect(first.locator('tabs-connection-panel [data-field="leader"]')).toContainText('this tab');
      await expect(second.locator('tabs-connection-panel [data-field="leader"]')).toContainText('another tab');
      await expect(second.locator('tabs-connection-panel [data-field="chat-poll"]')).toHaveText('1');
      await first.close();
      await expect(second.locator('tabs-connection-panel [data-field="leader"]')).toContainText('this tab', { timeout: 10_000 });
    } finally {
      await context.close();
      await server.stop();
    }
  });
});
