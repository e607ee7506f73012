import { expect, test, type Page } from '@playwright/test';

/** The reading experience: how a lesson opens, its code, menus, progress and the site around it. */
const isPhone = (page: Page) => (page.viewportSize()?.width ?? 1280) < 600;

test.describe('a lesson page', () => {
  test('opens at its top when reached from the course map, even with a widget that keeps its room in the address', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('link', { name: /The long-poll chat/ }).first().click();
    await expect(page.locator('chat-demo [data-field="state"]')).toHaveText('waiting');
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    // The first Tab goes to the skip link, not into the widget.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    // The link to a second tab still leads straight to the chat.
    await expect(page.getByRole('link', { name: 'Open this room in a new tab' })).toHaveAttribute('href', /#live-chat$/);
  });

  test('hides no line of code: every code panel is as wide as its lines, or wraps them', async ({ page }) => {
    for (const path of ['/lessons/hardening/', '/lessons/long-poll-chat/']) {
      await page.goto(path);
      const clipped = await page.locator('pre').evaluateAll((panels) =>
        panels.filter((panel) => panel.scrollWidth > panel.clientWidth + 1).map((panel) => panel.textContent?.slice(0, 60)),
      );
      expect(clipped).toEqual([]);
    }
  });

  test('no page is wider than the screen: wide tables, charts and demos scroll inside their own frame', async ({ page }) => {
    await page.goto('/lessons/');
    const lessons = await page.locator('main a[href^="/lessons/"]').evaluateAll((links) => [...new Set(links.map((link) => (link as HTMLAnchorElement).pathname))]);
    expect(lessons.length).toBeGreaterThan(8);
    const tooWide: string[] = [];
    for (const lesson of lessons) {
      await page.goto(lesson);
      const [pageWidth, screenWidth] = await page.evaluate((): [number, number] => [document.documentElement.scrollWidth, window.innerWidth]);
      if (pageWidth > screenWidth + 1) tooWide.push(`${lesson}: ${pageWidth} px in ${screenWidth}`);
    }
    expect(tooWide).toEqual([]);
  });

  test('every code panel and the test command get a copy button that copies without a secure context too', async ({ page }) => {
    await page.goto('/lessons/hardening/');
    const panels = page.locator('figure.source-code');
    expect(await panels.count()).toBeGreaterThan(2);
    await expect(panels.locator('.copy-button')).toHaveCount(await panels.count());
    // Plain-HTTP LAN addresses have no clipboard API: the fallback must still copy.
    await page.evaluate(() => {
      Object.defineProperty(window, 'isSecureContext', { value: false });
      (window as unknown as { copied: string[] }).copied = [];
      document.addEventListener('copy', () => (window as unknown as { copied: string[] }).copied.push(String(getSelection() ?? (document.activeElement as HTMLTextAreaElement)?.value)));
    });
    const command = page.getByRole('button', { name: 'Copy command' });
    await command.click();
    await expect(command).toHaveText(/Copied|Selected/);
    await expect(page.locator('#page-announcer')).toContainText(/command/);
    // A code panel copies its code, not the file name in its caption.
    const panel = panels.first();
    await panel.locator('.copy-button').click();
    const copied = await page.evaluate(() => (window as unknown as { copied: string[] }).copied.at(-1) ?? '');
    expect(copied.trim()).toBe(((await panel.locator('pre code').textContent()) ?? '').trim());
  });

  test('the course menu marks the current lesson; on a phone it sits behind a button', async ({ page }) => {
    await page.goto('/lessons/reconnection/');
    const menu = page.getByRole('navigation', { name: 'The course' });
    if (isPhone(page)) {
      await expect(menu).toBeHidden();
      const button = page.getByRole('button', { name: 'Course menu' });
      await expect(button).toHaveAttribute('aria-expanded', 'false');
      await button.click();
      await expect(button).toHaveAttribute('aria-expanded', 'true');
      await expect(menu).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(menu).toBeHidden();
      await expect(button).toBeFocused();
      await button.click();
    }
    await expect(menu.locator('a[aria-current="page"]')).toHaveText(/Reconnection/);
    await expect(menu.getByRole('listitem').getByRole('link')).toHaveCount(await page.locator('.course-menu li').count());
  });

  test('"On this page" follows the reader', async ({ page }) => {
    await page.goto('/lessons/long-poll-chat/');
    const sections = page.getByRole('navigation', { name: 'On this page' });
    const links = sections.getByRole('link');
    expect(await links.count()).toBeGreaterThan(3);
    const third = links.nth(2);
    const target = (await third.getAttribute('href'))!;
    await page.locator(target).scrollIntoViewIfNeeded();
    await page.evaluate((id) => document.querySelector(id)!.scrollIntoView({ block: 'start' }), target);
    await expect(third).toHaveAttribute('aria-current', 'true');
    await expect(sections.locator('[aria-current="true"]')).toHaveCount(1);
  });

  test('shows reading time, and nothing of the optional lists a lesson leaves empty', async ({ page }) => {
    await page.goto('/lessons/why-comet/');
    await expect(page.getByText(/About \d+ min to read/)).toBeVisible();
    for (const heading of ['What you will learn', 'Before you start', 'Recap', 'Sources and further reading']) {
      const present = await page.getByRole('heading', { name: heading, exact: true }).count();
      if (present) await expect(page.getByRole('heading', { name: heading, exact: true }).locator('xpath=following-sibling::ul/li').first()).toBeVisible();
    }
  });
});

test.describe('progress', () => {
  test('a lesson read to its end is marked on the map and in the menu, survives a reload, and can be reset', async ({ page }) => {
    await page.goto('/lessons/forever-frame/');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole('navigation', { name: 'Previous and next lesson' }).scrollIntoViewIfNeeded();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('comet-lessons.progress'))).toContain('forever-frame');

    await page.goto('/');
    const mark = page.locator('.course-map [data-progress-lesson="forever-frame"]');
    await expect(mark).toContainText('✓');
    await expect(page.locator('.course-map [data-progress-lesson="why-comet"]')).toHaveText('');
    await expect(page.locator('[data-progress-summary]')).toHaveText(/^1 of \d+ lessons read$/);
    await page.reload();
    await expect(mark).toContainText('✓');

    await page.getByRole('button', { name: 'Reset my progress' }).click();
    await expect(mark).toHaveText('');
    await expect(page.getByRole('status').filter({ hasText: 'Your progress was cleared.' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Reset my progress' })).toBeHidden();
  });

  test('progress kept by another part of the site (the store in localStorage) shows on the lessons page', async ({ page }) => {
    await page.goto('/lessons/');
    await page.evaluate(() => localStorage.setItem('comet-lessons.progress', JSON.stringify({ version: 1, done: { lesson: { reconnection: 1 } } })));
    await page.reload();
    await expect(page.locator('[data-progress-lesson="reconnection"]')).toContainText('✓');
    await expect(page.locator('[data-progress-lesson="why-comet"]')).toHaveText('');
  });
});

test.describe('widgets', () => {
  test('a wire log follows new lines only while the reader is at its bottom', async ({ page }) => {
    await page.goto('/lessons/forever-frame/');
    await page.locator('clock-demo').scrollIntoViewIfNeeded(); // the clock holds its frame only while on screen
    const log = page.locator('clock-demo [data-field="log"]');
    await expect.poll(() => log.evaluate((list) => list.scrollHeight > list.clientHeight), { timeout: 20_000 }).toBe(true);
    await log.evaluate((list) => (list.scrollTop = 0));
    const count = await log.locator('li').count();
    await expect.poll(() => log.locator('li').last().textContent(), { timeout: 5_000 }).not.toBe(await log.locator('li').nth(count - 1).textContent());
    expect(await log.evaluate((list) => list.scrollTop)).toBeLessThan(5);
    await log.evaluate((list) => (list.scrollTop = list.scrollHeight));
    const lines = await log.locator('li').allTextContents();
    await expect.poll(() => log.locator('li').allTextContents()).not.toEqual(lines);
    expect(await log.evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight)).toBeLessThan(9);
  });

  test('the reconnection timeline redraws only when something changed', async ({ page }) => {
    await page.clock.install();
    await page.goto('/lessons/reconnection/');
    const timeline = page.locator('reconnect-demo svg[data-field="timeline"]');
    await expect(timeline).toHaveAttribute('data-redraws', /\d+/);
    await expect(page.locator('reconnect-demo [data-field="chat-state"]')).toHaveText('waiting');
    const before = Number(await timeline.getAttribute('data-redraws'));
    // Ten seconds of a held poll, asked for every 250 ms: one redraw per second of the scale, not forty.
    await page.clock.runFor(10_000);
    const after = Number(await timeline.getAttribute('data-redraws'));
    expect(after - before).toBeLessThanOrEqual(11);
    expect(after - before).toBeGreaterThan(0);
    await expect(page.locator('#reconnect-timeline-summary')).toContainText(/Last minute: \d+ polls? answered, \d+ failed/);
  });

  test('"Add 50 idle waiters" stays disabled while its batch runs, counts down, and leaves no stale text', async ({ page }) => {
    await page.clock.install();
    await page.route('**/api/naive/backend?timestamp=*', () => {}); // no server-side wait (see accessibility.spec.ts)
    let refuse = false;
    await page.route('**/api/naive/load', (route) =>
      refuse
        ? route.fulfill({ status: 429, headers: { 'Retry-After': '17' }, json: { error: 'your batch of idle waiters is still running; ask again in 17 s' } })
        : route.fulfill({ json: { added: 50, held: 50, limit: 2000, holdSeconds: 20 } }),
    );
    await page.goto('/lessons/naive-busy-loop/');
    const demo = page.locator('naive-chat-demo');
    const button = demo.locator('[data-action="load"]');
    const status = demo.locator('[data-field="load-status"]');

    await button.click();
    await expect(status).toHaveText(/added 50 idle waiters for 20 s/);
    await expect(button).toBeDisabled();
    await expect(button).toHaveText('Batch running: 20 s left');
    await page.clock.runFor(5_000);
    await expect(button).toHaveText('Batch running: 15 s left');
    await page.clock.runFor(16_000);
    await expect(button).toBeEnabled();
    await expect(button).toHaveText('Add 50 idle waiters for 20 s');
    await expect(status).toHaveText(/batch ended/);

    refuse = true;
    await button.click();
    await expect(status).toHaveText(/Refused \(429\)/);
    await expect(button).toHaveText('Try again in 17 s');
    await page.clock.runFor(18_000);
    await expect(button).toBeEnabled();
    await expect(status).not.toContainText('ask again in');
  });

  test('the naive chat shows a message time as a clock time, not as raw seconds since 1970', async ({ page }) => {
    let answered = false; // one message, then the next wait is held in the browser
    await page.route('**/api/naive/backend?timestamp=*', (route) => {
      if (answered) return;
      answered = true;
      return route.fulfill({ json: { msg: 'hello from the file', timestamp: 1_767_225_600 } });
    });
    await page.goto('/lessons/naive-busy-loop/');
    const line = page.getByRole('log', { name: 'Messages this page received' }).getByRole('listitem').first();
    await expect(line).toContainText('hello from the file');
    await expect(line.locator('time')).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
    await expect(line).not.toContainText('1767225600 ');
  });

  test('moving the polling slider says that the figures started afresh', async ({ page }) => {
    await page.goto('/lessons/why-comet/');
    await page.getByRole('slider', { name: /Ask every/ }).fill('3');
    await expect(page.locator('polling-demo [data-field="figures-note"]')).toHaveText('Figures started afresh for one request every 3.0 s.');
  });

  test('a table the script fills stays hidden until it has rows', async ({ page }) => {
    await page.goto('/lessons/hardening/');
    await expect(page.locator('[data-field="chat-writes-table"]')).toBeHidden();
  });

  test('a long chat message wraps inside its list', async ({ page }) => {
    const room = `e2e-wrap-${Date.now().toString(36)}`;
    await page.goto(`/lessons/long-poll-chat/?room=${room}`);
    await expect(page.locator('chat-demo [data-field="state"]')).toHaveText('waiting');
    await page.getByRole('textbox', { name: 'Message' }).fill('x'.repeat(400));
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const list = page.locator('chat-demo [data-field="messages"]');
    await expect(list.locator('li')).toHaveCount(1);
    expect(await list.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
  });

  test('the polling chart keeps its text at 11 px or more and lists its figures as text', async ({ page }) => {
    await page.goto('/lessons/why-comet/');
    const chart = page.locator('polling-demo svg[data-field="chart"]');
    await expect(chart.locator('text').first()).toBeVisible();
    const smallest = await chart.locator('text').evaluateAll((texts) =>
      Math.min(...texts.map((text) => (text as SVGTextElement).getBoundingClientRect().height)),
    );
    expect(smallest).toBeGreaterThanOrEqual(11);
    await page.getByText("The chart's figures as a table").click();
    await expect(page.getByRole('columnheader', { name: 'Seen late by' })).toBeVisible();
  });
});

test.describe('the site around the lessons', () => {
  test('an unknown address gets a 404 page in the site style that links the course', async ({ page }) => {
    const response = await page.goto('/no-such-page/');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('This page does not exist');
    await page.getByRole('link', { name: 'course map' }).click();
    await expect(page).toHaveURL(/\/#course$/);
  });

  test('/lessons/ lists every lesson; favicon, robots.txt and sitemap answer', async ({ page, request }) => {
    await page.goto('/lessons/');
    expect(await page.locator('.lesson-index > li').count()).toBeGreaterThanOrEqual(8);
    expect((await request.get('/favicon.ico')).status()).toBe(200);
    const robots = await (await request.get('/robots.txt')).text();
    expect(robots).toMatch(/^Sitemap: https?:\/\/\S+\/sitemap-index\.xml$/m);
    expect((await request.get('/sitemap-index.xml')).status()).toBe(200);
    await page.goto('/lessons/why-comet/');
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', /\/lessons\/why-comet\/$/);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', /Comet Lessons/);
  });

  test('search finds a lesson, in the browser, with the page CSP allowing only WebAssembly beyond the site itself', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto('/search/');
    const box = page.getByRole('searchbox').or(page.getByRole('textbox', { name: 'Search the lessons' }));
    await box.first().fill('forever frame');
    await expect(page.locator('.pagefind-ui__result-link').first()).toBeVisible({ timeout: 15_000 });
    expect(violations).toEqual([]);
  });
});
