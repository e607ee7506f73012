import { expect, test } from '@playwright/test';

test.describe('beyond lesson: Server-Sent Events', () => {
  test('the EventSource shows messages posted by others, once, and resumes after a drop', async ({ page, request }) => {
    const room = `sse-${Math.random().toString(36).slice(2, 8)}`;
    await page.goto(`/lessons/beyond/?room=${room}`);
    const demo = page.locator('sse-demo');
    await demo.scrollIntoViewIfNeeded(); // the stream is held only while the demo is on screen
    await expect(demo.locator('[data-field="state"]')).toHaveText('open');
    const post = async (text: string) =>
      expect((await request.post('/api/chat/messages', { data: { room, text } })).status()).toBe(201);
    await post('hello over SSE');
    await expect(demo.locator('[data-field="messages"] li')).toHaveCount(1);
    await expect(demo.locator('[data-field="messages"] li')).toContainText('anonymous: hello over SSE');

    await demo.getByRole('button', { name: 'Drop and reconnect from the last id' }).click();
    await post('after the drop');
    await expect(demo.locator('[data-field="messages"] li')).toHaveCount(2);
    await expect(demo.locator('[data-field="opens"]')).toHaveText('2');
    const ids = await demo.locator('[data-field="messages"] li').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.id));
    expect(ids).toEqual(['1', '2']);
  });
});
