import { expect, test, type Page } from '@playwright/test';

// The WebSocket lesson's widget: one chat, switchable between long poll, event stream and WebSocket.

async function exerciseSwitch(page: Page, request: import('@playwright/test').APIRequestContext) {
  const room = `transport-${Math.random().toString(36).slice(2, 8)}`;
  await page.goto(`/lessons/websocket/?room=${room}`);
  const demo = page.locator('transport-demo');
  await demo.scrollIntoViewIfNeeded(); // it connects while it is on screen
  const messages = demo.getByRole('list', { name: 'Messages' }).locator('li');
  const wire = demo.getByRole('list', { name: 'Wire traffic' });
  const send = async (text: string) => {
    await demo.getByRole('textbox', { name: 'Message' }).fill(text);
    await demo.getByRole('button', { name: 'Send', exact: true }).click();
  };
  const postFromElsewhere = async (text: string) =>
    expect((await request.post('/api/chat/messages', { data: { room, text } })).status()).toBe(201);

  // Long poll: a request per answer.
  await expect(wire).toContainText('→ GET /api/chat/messages?room=');
  await send('over a long poll');
  await expect(messages).toHaveCount(1);
  await expect(messages.first()).toContainText('over a long poll');
  await expect(wire).toContainText('← 200');

  // Event stream: the latest messages again, then news as events.
  await demo.getByRole('radio', { name: 'Event stream (SSE)' }).check();
  await expect(demo.locator('[data-field="transport"]')).toHaveText('event-stream');
  await expect(messages).toHaveCount(1);
  await postFromElsewhere('over an event stream');
  await expect(messages).toHaveCount(2);
  await expect(wire).toContainText('← event: message');

  // WebSocket: frames both ways, each message shown once.
  await demo.getByRole('radio', { name: 'WebSocket' }).check();
  await expect(wire).toContainText('"type":"position"');
  await expect(messages).toHaveCount(2);
  await send('over a WebSocket');
  await expect(wire).toContainText('→');
  await expect(wire).toContainText('"type":"posted"');
  await postFromElsewhere('from elsewhere');
  await expect(messages).toHaveCount(4);
  const texts = await messages.locator('.chat-text').allTextContents();
  expect(texts).toEqual(['over a long poll', 'over an event stream', 'over a WebSocket', 'from elsewhere']);
}

test.describe('WebSocket lesson: the transport switch', () => {
  test('shows the same chat over long poll, event stream and WebSocket, with each one’s wire traffic', async ({ page, request }) => {
    await exerciseSwitch(page, request);
  });

  test('the measured comparison is drawn from the committed result', async ({ page }) => {
    await page.goto('/lessons/websocket/');
    const table = page.getByRole('table');
    await expect(table).toContainText('WebSocket');
    await expect(table.getByRole('row')).toHaveCount(4);
    await expect(page.getByRole('img', { name: /Bytes on the wire per delivered message/ })).toBeVisible();
  });
});

test.describe('WebSocket lesson on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('the transport switch works on a small touch screen', async ({ page, request }) => {
    await exerciseSwitch(page, request);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
