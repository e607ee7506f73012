import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

test.describe('forever-frame clock lesson', () => {
  test('the clock ticks, and the stop button stops it', async ({ page }) => {
    const policyViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
    await page.goto('/lessons/forever-frame/');
    const demo = page.locator('clock-demo');
    const time = demo.locator('[data-field="time"]');
    const ticks = demo.locator('[data-field="ticks"]');
    await demo.scrollIntoViewIfNeeded(); // the clock holds its connection only while on screen

    // Record every change of the displayed time inside the page, so timing is not left to polling.
    await time.evaluate((element) => {
      const seen: string[] = [];
      (window as unknown as { seenTimes: string[] }).seenTimes = seen;
      new MutationObserver(() => seen.push(element.textContent ?? '')).observe(element, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    // Two different server times shown within 3 s.
    await page.waitForFunction(() => new Set((window as unknown as { seenTimes: string[] }).seenTimes).size >= 2, null, {
      timeout: 3_000,
    });
    await expect(demo.locator('[data-field="state"]')).toHaveText('open');

    await demo.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(demo.locator('[data-field="state"]')).toHaveText('closed');
    const stoppedAt = await ticks.textContent();
    await page.waitForTimeout(1_500);
    await expect(ticks).toHaveText(stoppedAt!);
    await expect(demo.getByRole('button', { name: 'Start', exact: true })).toBeVisible();
    expect(policyViolations).toEqual([]);
  });

  test('the code panel shows the real source', async ({ page }) => {
    await page.goto('/lessons/forever-frame/');
    const panel = page.locator('figure[data-source-file="src/server/clock/forever-frame-stream.ts"][data-region="tick"]');
    const source = readFileSync('src/server/clock/forever-frame-stream.ts', 'utf8');
    await expect(panel).toContainText('timer = setInterval(');
    expect(source).toContain('timer = setInterval(');
    await expect(panel).not.toContainText('#region');
  });
});
