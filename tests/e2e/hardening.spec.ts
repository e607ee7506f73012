import { expect, test, type Page } from '@playwright/test';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

// The demos write the naive chat's one shared file and hold many polls from one address:
// they run against a server of their own, so that no other browser test feels them.
test.describe.configure({ mode: 'serial' });

let server: TestServer;
test.beforeAll(async () => {
  server = await startTestServer();
});
test.afterAll(async () => {
  await server?.stop();
});

const openLesson = async (page: Page) => {
  await page.goto(server.url('/lessons/hardening/'));
  return (part: string) => page.locator(`.hardening-demo[data-part="${part}"]`);
};

test.describe('hardening lesson', () => {
  test('a hostile message is shown as text, and the frame showing it as HTML may not run it', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const demo = (await openLesson(page))('markup');
    await expect(demo.getByRole('textbox', { name: 'Message' })).toHaveValue(/^<img src="missing.png" onerror=/);
    await demo.getByRole('button', { name: 'Send it through the chat' }).click();

    const after = demo.getByRole('list', { name: 'The message as the chat shows it' });
    await expect(after).toContainText(`<img src="missing.png" onerror="alert('This ran in your page')">`);
    const frame = demo.locator('iframe');
    await expect(frame).toHaveAttribute('sandbox', ''); // no allow-scripts, no allow-same-origin
    const inside = demo.frameLocator('iframe');
    await expect(inside.locator('b')).toHaveText(/Free prizes/); // the markup was built…
    await expect(inside.locator('img')).toHaveJSProperty('complete', true); // …the image failed to load…
    const findings = demo.getByRole('list', { name: 'What the browser builds from it' });
    await expect(findings.getByRole('listitem').filter({ hasText: 'onerror' })).toContainText('runs code');
    expect(dialogs).toEqual([]); // …and its handler never ran
    expect(await page.locator('img[onerror]').count()).toBe(0); // nothing of it reached the page itself
  });

  test('an image writes to the naive backend by GET; the same requests to the chat are refused', async ({ page }) => {
    const demo = (await openLesson(page))('get-writes');
    await demo.getByRole('button', { name: 'Write with an image' }).click();
    await expect(demo.getByRole('status')).toContainText('The naive chat now says “written by an image at');

    const storedBefore = (await readGauges(server)).chatMessages;
    await demo.getByRole('button', { name: 'Try them on the chat' }).click();
    const rows = demo.getByRole('row');
    await expect(rows.filter({ hasText: 'GET with the text' })).toContainText('400');
    await expect(rows.filter({ hasText: 'GET with the text' })).toContainText('unknown query parameter "text"');
    await expect(rows.filter({ hasText: 'POST of form fields' })).toContainText('415');
    expect((await readGauges(server)).chatMessages).toBe(storedBefore); // neither was stored
  });

  test('two writes at once: the file keeps one of them, the log keeps both', async ({ page }) => {
    const demo = (await openLesson(page))('lost-writes');
    await demo.getByRole('button', { name: 'Send two at once to each backend' }).click();
    await expect(demo.locator('[data-field="naive-kept"]')).toContainText('1 of 2 kept');
    await expect(demo.locator('[data-field="chat-kept"]')).toContainText('2 of 2 kept');
  });

  test('the cost panel shows live figures, and 50 naive waits raise the file checks', async ({ page }) => {
    const demo = (await openLesson(page))('cost');
    await expect(demo.locator('[data-field="cpu"]')).toHaveText(/%$/);
    await demo.getByRole('button', { name: 'Start 50 naive waits on the server for 20 s' }).click();
    await expect(demo.getByRole('status')).toContainText('added 50 idle waiters');
    await expect(demo.locator('[data-field="naive-waits"]')).toHaveText('50', { timeout: 10_000 });
    await expect
      .poll(async () => Number((await demo.locator('[data-field="file-checks"]').textContent())!.replace(/\D/g, '')), { timeout: 10_000 })
      .toBeGreaterThan(1_000);
  });

  test('twelve polls from one tab: the server holds ten and refuses the rest with 429, and lets go when they close', async ({ page }) => {
    const demo = (await openLesson(page))('limits');
    await demo.getByRole('button', { name: 'Open 12 long polls at once' }).click();
    const summary = demo.locator('[data-field="flood-summary"]');
    await expect(summary).toContainText('Waiting: 10. Refused: 2.');
    await expect(summary).toContainText('too many waiting requests from one client; at most 10 at once');
    const polls = demo.getByRole('list', { name: 'The twelve polls' }).getByRole('listitem');
    await expect(polls.filter({ hasText: 'refused, 429, Retry-After 1 s' })).toHaveCount(2);
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(10));

    await demo.getByRole('button', { name: 'Close them now' }).click();
    await expect(summary).toContainText('Closed: 10.');
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(0));
  });
});
