import { expect, test } from '@playwright/test';

test('the measure lesson shows the live server figures, and an open clock frame shows up in them', async ({ page, browser }) => {
  await page.goto('/lessons/measure-it-yourself/');
  const panel = page.locator('live-server-stats');
  await panel.scrollIntoViewIfNeeded(); // the panel reads the figures only while on screen
  await expect(panel.locator('[data-field="rss"]')).toHaveText(/MiB$/);
  const clockFrames = panel.locator('[data-field="clockStreams"]');
  const before = Number(await clockFrames.textContent());

  const clockPage = await browser.newPage();
  await clockPage.goto('/lessons/forever-frame/');
  await clockPage.locator('clock-demo').scrollIntoViewIfNeeded(); // the clock holds its frame only while on screen
  await expect(clockPage.locator('clock-demo [data-field="state"]')).toHaveText('open');
  await expect.poll(async () => Number(await clockFrames.textContent()), { timeout: 5_000 }).toBeGreaterThan(before);
  await clockPage.close();
});
