import { expect, test, type Locator, type Page } from '@playwright/test';
import { utimesSync } from 'node:fs';
import path from 'node:path';

// Every test here writes the one shared data file: run them one after another.
test.describe.configure({ mode: 'serial' });

/** Makes the file's last message old, so any write from now on is newer than what a fresh page knows. */
function ageDataFile() {
  const file = path.join(process.env.E2E_DATA_DIR!, 'naive-chat.txt');
  utimesSync(file, 1_000_000_000, 1_000_000_000);
}

async function openChat(page: Page): Promise<Locator> {
  await page.goto('/lessons/naive-busy-loop/');
  const demo = page.locator('naive-chat-demo');
  await expect(demo.locator('[data-field="state"]')).toHaveText('waiting for news');
  return demo;
}

/** Clicks an experiment button until a run loses a message (a run whose writes straddle a second loses none). */
async function runUntilLost(demo: Locator, name: string): Promise<string> {
  const summary = demo.locator('[data-field="verdict-summary"]');
  for (let attempt = 0; attempt < 3; attempt++) {
    await demo.getByRole('button', { name, exact: true }).click();
    await expect(summary).toHaveText(/messages lost|Nothing was lost/, { timeout: 10_000 });
    const text = (await summary.textContent())!;
    if (text.includes('lost.')) return text;
  }
  throw new Error(`"${name}" lost nothing in 3 runs`);
}

/** Pretends the tab was hidden or shown again, as switching tabs would. */
async function setTabHidden(page: Page, hidden: boolean) {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test.describe('naive busy-loop lesson', () => {
  test('two pages chat over the naive backend, and a message is shown as text', async ({ page, browser }) => {
    ageDataFile();
    const mine = await openChat(page);
    const otherPage = await browser.newPage();
    const other = await openChat(otherPage);

    const hostile = `<img src=x onerror="document.title='owned'"> ${Date.now()}`;
    await mine.getByRole('textbox', { name: 'Message' }).fill(hostile);
    await mine.getByRole('button', { name: 'Send', exact: true }).click();

    for (const demo of [mine, other]) {
      const messages = demo.getByRole('log', { name: 'Messages this page received' });
      await expect(messages.getByRole('listitem').filter({ hasText: hostile })).toHaveCount(1);
      await expect(messages.locator('img')).toHaveCount(0);
    }
    expect(await otherPage.title()).not.toBe('owned');
    await otherPage.close();
  });

  test('"Send two messages within one second" loses the second one, and says why', async ({ page }) => {
    const demo = await openChat(page);
    expect(await runUntilLost(demo, 'Send two messages within one second')).toBe('1 of 2 messages lost.');
    await expect(demo.locator('.verdict li.arrived')).toHaveText(/^“first \w+”: arrived/);
    await expect(demo.locator('.verdict li.lost')).toHaveText(/^“second \w+”: lost: written in second \d+.*newer than \d+/);
    await expect(demo.getByRole('button', { name: 'Send two messages within one second' })).toBeEnabled();
  });

  test('"Two people send at once" keeps only one of the two messages', async ({ page }) => {
    const demo = await openChat(page);
    expect(await runUntilLost(demo, 'Two people send at once')).toBe('1 of 2 messages lost.');
    await expect(demo.locator('.verdict li.lost')).toHaveText(/the file holds one message/);
    await expect(demo.locator('.verdict li.arrived')).toHaveCount(1);
  });

  test('the cost panel shows waiters, file checks and CPU, and climbs with 50 idle waiters', async ({ page }) => {
    const demo = await openChat(page);
    const number = (field: string) => async () => Number((await demo.locator(`[data-field="${field}"]`).textContent())!.replace(/\D/g, ''));
    await demo.locator('[data-field="cost"]').scrollIntoViewIfNeeded(); // the panel reads the figures only while on screen
    await expect.poll(number('waiters')).toBeGreaterThanOrEqual(1);
    await expect(demo.locator('[data-field="cpu"]')).toHaveText(/^\d+\.\d %$/);

    await demo.getByRole('button', { name: 'Add 50 idle waiters for 20 s' }).click();
    await expect(demo.locator('[data-field="load-status"]')).toHaveText(/added 50 idle waiters for 20 s/);
    await expect.poll(number('idle-waiters')).toBeGreaterThanOrEqual(50);
    await expect.poll(number('stat-rate'), { timeout: 5_000 }).toBeGreaterThan(1_000);
  });

  test('a hidden tab lets go of its wait, and takes it up again when shown', async ({ page, request }) => {
    const demo = await openChat(page);
    const waiters = async () => ((await (await request.get('/api/stats')).json()) as { gauges: Record<string, number> }).gauges.naiveWaiters;
    await expect.poll(waiters).toBe(1); // the tests run one at a time: this page's wait is the only one
    await setTabHidden(page, true);
    await expect.poll(waiters).toBe(0);
    await expect(demo.locator('[data-field="state"]')).toHaveText('closed');
    await setTabHidden(page, false);
    await expect.poll(waiters).toBe(1);
    await expect(demo.locator('[data-field="state"]')).toHaveText('waiting for news');
  });
});
