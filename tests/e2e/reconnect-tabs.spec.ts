import { expect, test, type Page } from '@playwright/test';
import { routeChatContract } from '../support/route-chat-contract.ts';

// The reconnection panel on the shared poll, in Chromium against the chat's wire contract
// answered in the test process: per-tab faults stay per tab, the cut counts down.
const shownTexts = (page: Page) =>
  page.locator('reconnect-demo [data-field="messages"] .chat-text').evaluateAll((items) => items.map((item) => item.textContent));

test.describe('reconnection panel over the shared poll', () => {
  test('the 503 fault hits only the tab that asked, though both tabs share one poll', async ({ browser }) => {
    const context = await browser.newContext();
    const contract = await routeChatContract(context);
    const [first, second] = [await context.newPage(), await context.newPage()];
    for (const page of [first, second]) {
      await page.goto('/lessons/reconnection/?room=rc-shared');
      await expect(page.locator('reconnect-demo [data-field="chat-state"]')).toHaveText(/waiting|open/);
    }
    await expect.poll(() => contract.inFlight).toBe(1);
    await first.getByRole('button', { name: 'Make my next poll fail (503)' }).click();
    await expect(first.locator('reconnect-demo [data-field="log"]')).toContainText('retry-after 503');
    await second.locator('reconnect-demo #reconnect-text').fill('after the fault');
    await second.locator('reconnect-demo #reconnect-text').press('Enter');
    await expect.poll(() => shownTexts(second)).toEqual(['after the fault']);
    await expect.poll(() => shownTexts(first), { timeout: 15_000 }).toEqual(['after the fault']);
    await expect(second.locator('reconnect-demo [data-field="log"]')).not.toContainText('503');
    await context.close();
  });

  test('a network cut counts down, keeps the Cut button disabled, and clears when it ends', async ({ browser }) => {
    const context = await browser.newContext();
    await routeChatContract(context);
    const page = await context.newPage();
    await page.goto('/lessons/reconnection/?room=rc-cut');
    const demo = page.locator('reconnect-demo');
    await expect(demo.locator('[data-field="chat-state"]')).toHaveText(/waiting|open/);
    await demo.getByLabel('Cut my network for').selectOption('5');
    const cut = demo.getByRole('button', { name: 'Cut my network', exact: true });
    await cut.click();
    await expect(cut).toBeDisabled();
    await expect(demo.locator('[data-field="cut-countdown"]')).toHaveText(/The network is cut: [1-5] s left\./);
    await expect(demo.locator('[data-field="cut-countdown"]')).toHaveText('', { timeout: 10_000 });
    await expect(cut).toBeEnabled();
    await expect(demo.locator('[data-field="chat-state"]')).not.toContainText('the network is cut');
    await context.close();
  });
});
