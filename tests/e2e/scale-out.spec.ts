import { devices, expect, test, type Page } from '@playwright/test';
import { startTestRedis, type TestRedis } from '../support/redis-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { WIDGET_CONNECTION_SLOTS } from '../../src/client/tabs/connection-slots.ts';

/** Posts through the demo and checks that every listener shows it, and which processes answered. */
async function postAndSeeEverywhere(page: Page, text: string) {
  const demo = page.locator('scale-out-demo');
  await demo.scrollIntoViewIfNeeded(); // its listeners hold their polls while it is on screen
  const rows = demo.locator('[data-field="rows"] tr');
  await expect(rows).toHaveCount(WIDGET_CONNECTION_SLOTS);
  // Every listener has had its first answer (it names the process): from then on it follows the
  // room from a cursor, so a message posted now reaches it. A listener that first asked after the
  // post would take the message as history, not as news.
  for (const row of await rows.all()) await expect(row.locator('[data-cell="by"]')).toHaveText(/^(worker-\d+|single)\/\d+$/);
  await demo.getByRole('textbox', { name: 'Message' }).fill(text);
  await demo.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(demo.locator('[data-field="posted-by"]')).toContainText('(201)');
  for (const row of await rows.all()) await expect(row.locator('[data-cell="last"]')).toHaveText(text);
  return demo;
}

test.describe('scale-out lesson: several processes', () => {
  let redis: TestRedis;
  let server: TestServer;
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    redis = await startTestRedis();
    server = await startTestServer({ env: { WORKERS: '2', REDIS_URL: redis.url } });
  });
  test.afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  for (const [name, viewport] of [
    ['desktop', devices['Desktop Chrome'].viewport],
    ['phone', devices['Pixel 7'].viewport],
  ] as const) {
    test(`a message posted through one process reaches listeners on every process (${name})`, async ({ page }) => {
      await page.setViewportSize(viewport);
      await page.goto(server.url('/lessons/scale-out/'));
      const demo = page.locator('scale-out-demo');
      await expect(demo.locator('[data-field="state"]')).toContainText('several processes');
      await postAndSeeEverywhere(page, `across processes ${name} ${Date.now()}`);
      await expect(demo.locator('[data-field="posted-by"]')).toContainText(/^worker-\d\//);
      for (const cell of await demo.locator('[data-cell="by"]').all()) await expect(cell).toHaveText(/^worker-\d\/\d+$/);
      // Every process in the second table, and the demo's held polls (one per listener) in the totals.
      const processes = demo.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Held polls' }) });
      await expect(processes.locator('tbody tr')).toHaveCount(2);
      for (const name of await processes.locator('tbody th').all()) await expect(name).toHaveText(/^worker-\d\/\d+$/);
      await expect(processes.locator('tfoot [data-cell="all"]')).toHaveText('All 2 processes');
      await expect.poll(async () => Number(await processes.locator('tfoot [data-cell="held"]').textContent())).toBeGreaterThanOrEqual(WIDGET_CONNECTION_SLOTS);
    });
  }
});

test('scale-out lesson: as one process, the demo says so and still works', async ({ page }) => {
  await page.goto('/lessons/scale-out/');
  const demo = page.locator('scale-out-demo');
  await expect(demo.locator('[data-field="state"]')).toContainText('one process');
  await expect(page.getByText('REDIS_URL=redis://127.0.0.1:6379 WORKERS=2 npm start').first()).toBeVisible();
  await postAndSeeEverywhere(page, `one process ${Date.now()}`);
  await expect(demo.locator('[data-field="posted-by"]')).toContainText(/^single\//);
  const processes = demo.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Held polls' }) });
  await expect(processes.locator('tbody th')).toHaveText([/^single\/\d+$/]);
  await expect(processes.locator('tfoot [data-cell="all"]')).toHaveText('All 1 process');
});
