import { expect, test, type Page } from '@playwright/test';
import { startTestServer } from '../support/test-server.ts';

const uniqueRoom = (label: string) => `rc-${label}-${Math.random().toString(36).slice(2, 8)}`;

async function post(origin: string, room: string, text: string): Promise<number> {
  const response = await fetch(`${origin}/api/chat/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room, text, author: 'test' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

/** The ids the page shows, in the order it shows them. */
const shownIds = (page: Page) =>
  page.locator('reconnect-demo [data-field="messages"] li').evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.id)));

test.describe('reconnection lesson', () => {
  test('after the server is killed and restarted, chat and clock recover with every message exactly once', async ({ page }) => {
    test.setTimeout(60_000);
    const server = await startTestServer();
    try {
      const room = uniqueRoom('restart');
      await page.goto(server.url(`/lessons/reconnection/?room=${room}`));
      const demo = page.locator('reconnect-demo');
      await expect(demo.locator('[data-field="chat-state"]')).toHaveText('waiting');
      await demo.locator('.clock-face').scrollIntoViewIfNeeded(); // the clock is held only while on screen
      await expect(demo.locator('[data-field="clock-state"]')).toHaveText('open');
      await post(server.origin, room, 'before the crash');
      await expect.poll(() => shownIds(page)).toEqual([1]);

      await server.crash();
      await expect(demo.locator('[data-field="chat-state"]')).toContainText('backing off');
      await server.start();
      await post(server.origin, room, 'after the restart, one');
      await post(server.origin, room, 'after the restart, two');

      await expect.poll(() => shownIds(page), { timeout: 40_000 }).toEqual([1, 2, 3]);
      await expect(demo.locator('[data-field="clock-state"]')).toHaveText('open', { timeout: 40_000 });
      const clock = demo.locator('[data-field="clock"]');
      const shownTime = await clock.textContent();
      await expect(clock).not.toHaveText(shownTime!, { timeout: 5_000 });
    } finally {
      await server.stop();
    }
  });

  test('a cut network heals, and messages sent meanwhile arrive once, in order', async ({ page, baseURL }) => {
    const room = uniqueRoom('cut');
    await page.goto(`/lessons/reconnection/?room=${room}`);
    const demo = page.locator('reconnect-demo');
    await expect(demo.locator('[data-field="chat-state"]')).toHaveText('waiting');
    await demo.getByLabel('Cut my network for').selectOption('5');
    await demo.getByRole('button', { name: 'Cut my network', exact: true }).click();
    await expect(demo.locator('[data-field="chat-state"]')).toContainText('backing off');
    await post(baseURL!, room, 'sent during the cut');
    await post(baseURL!, room, 'also during the cut');
    await expect.poll(() => shownIds(page), { timeout: 30_000 }).toEqual([1, 2]);
    await expect(demo.locator('[data-field="chat-state"]')).toHaveText('waiting', { timeout: 30_000 });
  });

  test('a send that gets no answer is announced, and the announcement clears when a send succeeds', async ({ page }) => {
    const room = uniqueRoom('abort');
    await page.goto(`/lessons/reconnection/?room=${room}`);
    const demo = page.locator('reconnect-demo');
    await expect(demo.locator('[data-field="chat-state"]')).toHaveText('waiting');
    await page.route('**/api/chat/messages', (route) => (route.request().method() === 'POST' ? route.abort('connectionreset') : route.fallback()));
    const textbox = demo.getByRole('textbox', { name: 'Message' });
    await textbox.fill('lost on the way');
    await textbox.press('Enter');
    await expect(demo.getByRole('status').filter({ hasText: 'Not sent' })).toContainText(/^Not sent: no answer \(.+\)\. Try again\.$/, { timeout: 20_000 });

    await page.unrouteAll();
    await textbox.press('Enter');
    await expect(textbox).toHaveValue('', { timeout: 20_000 });
    await expect.poll(() => shownIds(page)).toEqual([1]);
    await expect(demo.getByRole('status').filter({ hasText: 'Not sent' })).toHaveCount(0);
  });

  test("the 503 fault hits only the tab that asked for it", async ({ browser, baseURL }) => {
    const room = uniqueRoom('fault');
    const [first, second] = await Promise.all([browser.newPage(), browser.newPage()]);
    await first.goto(`${baseURL}/lessons/reconnection/?room=${room}`);
    await second.goto(`${baseURL}/lessons/reconnection/?room=${room}`);
    for (const page of [first, second]) {
      await expect(page.locator('reconnect-demo [data-field="chat-state"]')).toHaveText('waiting');
    }
    await first.getByRole('button', { name: 'Make my next poll fail (503)' }).click();
    await expect(first.locator('reconnect-demo [data-field="log"]')).toContainText('retry-after 503');
    await post(baseURL!, room, 'after the fault');
    await expect.poll(() => shownIds(first), { timeout: 20_000 }).toEqual([1]);
    await expect.poll(() => shownIds(second)).toEqual([1]);
    await expect(second.locator('reconnect-demo [data-field="log"]')).not.toContainText('503');
    await Promise.all([first.close(), second.close()]);
  });
});
