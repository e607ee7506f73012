import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayedText, readSourceRegion } from '../../src/build/source-region.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

// One folder per lesson (the folder also holds the lessons index, /lessons/index.html).
const lessons = readdirSync(`${process.env.BUILD_DIR || 'dist'}/client/lessons`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Each code panel on a page: the file and region it claims, and the text a reader sees. */
function panelsIn(html: string) {
  const panels = html.matchAll(
    /<figure class="source-code"[^>]*data-source-file="([^"]+)"[^>]*data-region="([^"]+)"[^>]*>[\s\S]*?<pre[^>]*><code>([\s\S]*?)<\/code><\/pre>/g,
  );
  return [...panels].map(([, file, region, code]) => ({
    file: file!,
    region: region!,
    shown: decodeEntities(code!.replace(/<[^>]+>/g, '')),
  }));
}

describe('lesson code panels', () => {
  it('every lesson is served', () => {
    expect(lessons.length).toBeGreaterThan(0);
  });

  it.each(lessons)('%s shows exactly the regions of the real source files', async (lesson) => {
    const response = await fetch(server.url(`/lessons/${lesson}/`));
    expect(response.status).toBe(200);
    const panels = panelsIn(await response.text());
    expect(panels.length).toBeGreaterThan(0);
    for (const { file, region, shown } of panels) {
      const expected = displayedText(readSourceRegion(file, region));
      expect(shown.split('\n').map((line) => line.trimEnd())).toEqual(expected.split('\n').map((line) => line.trimEnd()));
    }
  });
});
