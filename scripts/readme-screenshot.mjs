// Regenerates the README's screenshot (docs/screenshot-clock.png) from a running site:
//
//   npm start                      (in one terminal)
//   npm run screenshot             (in another; or: npm run screenshot -- http://127.0.0.1:8080)
//
// It opens the forever-frame lesson at 1280×800 in light mode, waits until the live clock has
// received a few ticks from the server, and photographs the lesson's top: the course menu, the
// title, "On this page" and the start of the lesson.
import { chromium } from '@playwright/test';
import { provisionChromium } from './find-chromium.mjs';

const MIN_TICKS = 3;
const origin = (process.argv[2] || 'http://127.0.0.1:4321').replace(/\/$/, '');
const output = new URL('../docs/screenshot-clock.png', import.meta.url);

const browser = await chromium.launch({ executablePath: provisionChromium(), args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', deviceScaleFactor: 1 });
  const response = await page.goto(`${origin}/lessons/forever-frame/`).catch((error) => {
    throw new Error(`Could not open ${origin}: ${error.message}. Start the site first (npm start).`);
  });
  if (!response?.ok()) throw new Error(`${origin}/lessons/forever-frame/ answered ${response?.status()}`);
  await page.waitForFunction(
    (ticks) => Number(document.querySelector('clock-demo [data-field="ticks"]')?.textContent) >= ticks,
    MIN_TICKS,
    { timeout: 30_000 },
  );
  await page.locator('clock-demo').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, -120));
  await page.screenshot({ path: output.pathname });
  console.log(`wrote ${output.pathname}`);
} finally {
  await browser.close();
}
