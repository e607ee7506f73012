import { expect, test } from '@playwright/test';

// "Your turn" and "Check your understanding" on a lesson page: answered with the keyboard
// only, announced in a live region, checked with no server call, recorded as progress.
const viewports = [
  { name: 'desktop', use: { viewport: { width: 1280, height: 900 } } },
  { name: 'phone', use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
];

for (const { name, use } of viewports) {
  test.describe(`practice on a lesson page (${name})`, () => {
    test.use(use);

    test('shows the exercise with its command', async ({ page }) => {
      await page.goto('/lessons/long-poll-chat/');
      const box = page.getByRole('region', { name: 'Your turn' });
      await expect(box).toBeVisible();
      await expect(box.getByText('npm run exercise -- long-poll-wait')).toBeVisible();
      await expect(box.getByRole('heading', { name: 'The long-poll wait' })).toBeVisible();
    });

    test('a lesson without an exercise still says what to do, and has its questions', async ({ page }) => {
      await page.goto('/lessons/why-comet/');
      await expect(page.getByRole('region', { name: 'Your turn' })).toContainText('npm run exercise');
      await expect(page.getByRole('region', { name: 'Check your understanding' }).getByRole('group')).toHaveCount(3);
    });

    test('checks answers in the page, announces them, and records a right one', async ({ page }) => {
      await page.goto('/lessons/long-poll-chat/');
      await page.evaluate(() => {
        (window as unknown as { progressEvents: unknown[] }).progressEvents = [];
        document.addEventListener('comet:progress', (event) =>
          (window as unknown as { progressEvents: unknown[] }).progressEvents.push((event as CustomEvent).detail),
        );
      });
      const quiz = page.getByRole('region', { name: 'Check your understanding' });
      const first = quiz.getByRole('group').first();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));

      // Keyboard only: focus the first answer, pick with arrows, check with Enter.
      const radios = first.getByRole('radio');
      const count = await radios.count();
      let right = -1;
      for (let index = 0; index < count; index += 1) {
        if ((await radios.nth(index).getAttribute('data-correct')) === 'true') right = index;
      }
      const wrong = right === 0 ? 1 : 0;
      await radios.nth(wrong).focus();
      await page.keyboard.press('Space');
      await expect(radios.nth(wrong)).toBeChecked();
      await page.keyboard.press('Tab');
      await expect(first.getByRole('button', { name: 'Check' })).toBeFocused();
      await page.keyboard.press('Enter');
      const status = first.getByRole('status');
      await expect(status).toHaveText(/^Not quite\. .+/);

      await radios.nth(wrong).focus();
      for (let step = 0; step < (right - wrong + count) % count; step += 1) await page.keyboard.press('ArrowDown');
      await expect(radios.nth(right)).toBeChecked();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect(status).toHaveText(/^Right\. .+/);
      // Every answer's explanation is shown once the right one is found.
      for (let index = 0; index < count; index += 1) await expect(first.locator('.quiz-explanation').nth(index)).toBeVisible();

      // The lesson's live widgets keep talking to /api/ on their own, and the browser fetches the site's
      // icon when it likes; the questions add nothing.
      const ours = (url: string) => !/^\/(api\/|favicon\.)/.test(new URL(url).pathname);
      expect(requests.filter(ours), 'checking answers makes no request').toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { progressEvents: unknown[] }).progressEvents)).toEqual([
        { kind: 'quiz', id: 'long-poll-chat/1' },
      ]);
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('comet-lessons:practice') ?? '{}'));
      expect(Object.keys(stored.quiz)).toEqual(['long-poll-chat/1']);
    });
  });
}
