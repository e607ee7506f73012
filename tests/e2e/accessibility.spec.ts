import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sitePaths } from '../../scripts/site-pages.mjs';

/**
 * axe-core on every page of the built site (its sitemap, the search page and the 404 page), in
 * light and dark, on the desktop and phone projects: no violation of WCAG 2.2 A/AA or of axe's
 * best practices. The widgets run as a learner sees them; frames (the clock's forever frame, the
 * sandboxed "before" frame) are left out: their content is the lesson's subject, not the site.
 */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

for (const path of sitePaths()) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`${path} has no axe violations (${colorScheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      // The naive chat's wait is held here in the browser instead of on the server, whose count of
      // naive waits other specs read: the widget still shows itself waiting, as a learner sees it.
      await page.route('**/api/naive/backend?timestamp=*', () => {});
      await page.goto(path, { waitUntil: 'load' });
      const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).exclude('iframe').options({ iframes: false }).setLegacyMode(true).analyze();
      const found = violations.map(
        (violation) => `${violation.id} (${violation.nodes.length}): ${violation.nodes.slice(0, 3).map((node) => `${node.target.join(' ')} ${node.failureSummary?.split('\n')[1] ?? ''}`).join(' | ')}`,
      );
      expect(found).toEqual([]);
    });
  }
}
