import { expect, test, type Page } from '@playwright/test';
import { routeChatContract } from '../support/route-chat-contract.ts';

// The browser side of "one poll per browser", tried in Chromium against the chat's wire contract
// answered in the test process (see routeChatContract): leader election, relay, takeover.
const lesson = '/lessons/long-poll-chat/';

const shownTexts = (page: Page) =>
  page.locator('chat-demo [data-field="messages"] .chat-text').evaluateAll((items) => items.map((item) => item.textContent));

async function say(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('');
}

test.describe('chat tabs share one poll', () => {
  test('five tabs in two rooms hold one poll; every tab shows every message once; a new leader takes over', async ({ browser }) => {
    const context = await browser.newContext();
    const contract = await routeChatContract(context);
    const rooms = ['shared-a', 'shared-b'];
    const pages: Page[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await context.newPage();
      await page.goto(`${lesson}?room=${rooms[i % 2]}`);
      await expect(page.locator('chat-demo [data-field="state"]')).toHaveText(/waiting|open/);
      pages.push(page);
    }
    await expect.poll(() => contract.inFlight).toBe(1);
    contract.resetMax();
    for (const [index, page] of pages.entries()) await say(page, `from tab ${index}`);
    const expected = (room: number) => pages.map((_, i) => `from tab ${i}`).filter((_, i) => i % 2 === room);
    for (const [index, page] of pages.entries()) await expect.poll(() => shownTexts(page)).toEqual(expected(index % 2));
    expect(contract.maxInFlight).toBeLessThanOrEqual(1);

    await pages[0]!.close(); // the leader goes
    const rest = pages.slice(1);
    await say(rest[0]!, 'after the leader left');
    await expect.poll(() => contract.inFlight).toBe(1);
    for (const [index, page] of rest.entries()) {
      const room = (index + 1) % 2;
      const wanted = [...expected(room), ...(room === 1 ? ['after the leader left'] : [])];
      await expect.poll(() => shownTexts(page)).toEqual(wanted);
    }
    await context.close();
  });

  test('switching rooms leaves one poll, logs no false error and no repeated "poll opened" line', async ({ browser }) => {
    const context = await browser.newContext();
    const contract = await routeChatContract(context);
    const page = await context.newPage();
    await page.goto(`${lesson}?room=switcher`);
    await expect(page.locator('chat-demo [data-field="state"]')).toHaveText('waiting');
    await page.getByRole('button', { name: 'Switch to the lobby' }).click();
    await expect(page.locator('chat-demo [data-field="room"]')).toHaveText('lobby');
    await page.getByRole('button', { name: 'Back to your private room' }).click();
    await expect(page.locator('chat-demo [data-field="state"]')).toHaveText('waiting');
    await expect.poll(() => contract.inFlight).toBe(1);
    const lines = await page.locator('chat-demo [data-field="log"] li').allTextContents();
    expect(lines.join('\n')).not.toContain('network-error');
    const opened = lines.map((line) => line.replace(/^\S+\s+/, '')).filter((line) => line.includes('poll opened'));
    for (let i = 1; i < opened.length; i++) expect(opened[i]).not.toBe(opened[i - 1]);
    await context.close();
  });
});
