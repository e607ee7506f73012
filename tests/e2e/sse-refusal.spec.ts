import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startTestServer } from '../support/test-server.ts';

// A refusal arrives inside a 200 event stream (`retry:`, then `event: refused`), because an
// EventSource never reconnects after a non-200 answer (WHATWG HTML §9.2). The page shows the
// reason; once a slot is free, the browser's own retry (or the page's backoff) brings it back.
test.describe('event stream after a refusal', () => {
  test('a refused stream shows why, and is live again once a slot is free', async ({ browser }) => {
    test.setTimeout(90_000);
    const server = await startTestServer();
    const contexts: BrowserContext[] = [];
    try {
      const room = `sse-refused-${Math.random().toString(36).slice(2, 8)}`;
      // Separate contexts, so the browser's own connection limit is not what refuses.
      const open = async () => {
        const context = await browser.newContext();
        contexts.push(context);
        const page = await context.newPage();
        await page.goto(server.url(`/lessons/beyond/?room=${room}`));
        await page.locator('sse-demo').scrollIntoViewIfNeeded();
        return page;
      };
      const pages: Page[] = [];
      let refused: Page | undefined;
      for (let i = 0; i < 12 && !refused; i++) {
        const page = await open();
        const state = page.locator('sse-demo [data-field="state"]');
        await expect(state).toHaveText(/^open$|^refused/, { timeout: 15_000 });
        if ((await state.textContent())!.startsWith('refused')) refused = page;
        else pages.push(page);
      }
      expect(refused, 'the server refused a stream past its per-client limit').toBeDefined();
      await expect(refused!.locator('sse-demo [data-field="log"]')).toContainText('refused:');

      await contexts[0]!.close(); // a slot is freed
      await expect(refused!.locator('sse-demo [data-field="state"]')).toHaveText('open', { timeout: 40_000 });
      const post = await fetch(server.url('/api/chat/messages'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: server.origin },
        body: JSON.stringify({ room, text: 'live again' }),
      });
      expect(post.status).toBe(201);
      await expect(refused!.locator('sse-demo [data-field="messages"] .chat-text')).toHaveText(['live again']);
    } finally {
      for (const context of contexts) await context.close().catch(() => undefined);
      await server.stop();
    }
  });
});
