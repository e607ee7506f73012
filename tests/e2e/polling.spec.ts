import { expect, test } from '@playwright/test';

test.describe('why-comet polling lesson', () => {
  test('the widget polls, counts what it gets, charts the changes it sees, and stops', async ({ page }) => {
    const policyViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
    await page.goto('/lessons/why-comet/');
    const demo = page.locator('polling-demo');
    const requests = demo.locator('[data-field="requests"]');
    const count = async () => Number(await requests.textContent());

    await demo.getByRole('slider', { name: /Ask every/ }).fill('0.5');
    await expect(demo.locator('[data-field="interval-value"]')).toHaveText('0.5 s');
    await expect.poll(count).toBeGreaterThanOrEqual(4);
    await expect(demo.locator('[data-field="nothing-new"]')).not.toHaveText('0');
    await expect(demo.locator('[data-field="bytes"]')).not.toHaveText('0 B');
    await expect(demo.locator('[data-field="state"]')).toHaveText('polling');

    // The counter changes every 2 to 8 s: wait for one change to be seen and drawn.
    await expect(demo.locator('[data-field="changes"]')).not.toHaveText('0', { timeout: 15_000 });
    await expect(demo.getByRole('img', { name: /How late the page saw each of \d+ change/ })).toBeVisible();
    expect(await demo.locator('svg rect.bar').count()).toBeGreaterThanOrEqual(1);
    await expect(demo.locator('[data-field="average"]')).toHaveText(/^\d+\.\d s$/);

    await demo.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(demo.locator('[data-field="state"]')).toHaveText('stopped');
    const stoppedAt = await count();
    await page.waitForTimeout(1_500); // three intervals: no request may go out
    expect(await count()).toBe(stoppedAt);
    await expect(demo.getByRole('button', { name: 'Start', exact: true })).toBeVisible();
    expect(policyViolations).toEqual([]);
  });

  test('the lesson shows the timeline diagram and the real polling code', async ({ page }) => {
    await page.goto('/lessons/why-comet/');
    await expect(page.getByRole('img', { name: /From polling to Comet to WebSocket and Server-Sent Events/ })).toBeVisible();
    const panel = page.locator('figure[data-source-file="src/client/polling/counter-poller.ts"][data-region="poll"]');
    await expect(panel).toContainText('await fetch(this.#url');
    await expect(page.getByText('npm run test:lesson -- polling')).toBeVisible();
  });

  test('a hidden tab stops polling and starts again when shown', async ({ page }) => {
    await page.goto('/lessons/why-comet/');
    const demo = page.locator('polling-demo');
    const requests = demo.locator('[data-field="requests"]');
    await expect(requests).not.toHaveText('0');
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);

    await setHidden(true);
    await expect(demo.locator('[data-field="state"]')).toHaveText('paused while the tab is hidden');
    const pausedAt = await requests.textContent();
    await page.waitForTimeout(2_500); // longer than the 2 s interval
    await expect(requests).toHaveText(pausedAt!);

    await setHidden(false);
    await expect(requests).not.toHaveText(pausedAt!);
    await expect(demo.locator('[data-field="state"]')).toHaveText('polling');
  });
});
