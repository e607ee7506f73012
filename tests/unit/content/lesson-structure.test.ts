import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Every lesson opens with what the learner will be able to do and what it assumes, ends with a
// recap, and names its primary sources, by section where a source has sections.
const lessonsDir = 'src/content/lessons';
const lessons = readdirSync(lessonsDir).filter((file) => file.endsWith('.mdx'));
interface Source {
  title?: string;
  url?: string;
  section?: string;
}

/**
 * The list fields of a lesson's frontmatter, read line by line (they are flat YAML lists of
 * quoted strings, and `sources` a list of flat maps), so the test needs no YAML library.
 */
function frontmatter(file: string) {
  const lines = readFileSync(path.join(lessonsDir, file), 'utf8').match(/^---\n([\s\S]*?)\n---\n/)![1]!.split('\n');
  const lists: Record<string, string[]> = {};
  const sources: Source[] = [];
  let key = '';
  for (const line of lines) {
    const top = line.match(/^([a-zA-Z]+):\s*(.*)$/);
    if (top) {
      key = top[1]!;
      continue;
    }
    const item = line.match(/^ {2}- (?:([a-z]+): )?(.*)$/);
    const field = line.match(/^ {4}([a-z]+): (.*)$/);
    const unquote = (value: string) => value.replace(/^'(.*)'$/, '$1');
    if (key === 'sources' && item?.[1]) sources.push({ [item[1]]: unquote(item[2]!) });
    else if (key === 'sources' && field) Object.assign(sources.at(-1)!, { [field[1]!]: unquote(field[2]!) });
    else if (item) (lists[key] ??= []).push(unquote(item[2]!));
  }
  return { outcomes: lists.outcomes, prerequisites: lists.prerequisites, recap: lists.recap, sources };
}

describe('lesson structure', () => {
  it.each(lessons)('%s has outcomes, prerequisites and a recap', (file) => {
    const data = frontmatter(file);
    expect(data.outcomes?.length, 'outcomes').toBeGreaterThanOrEqual(2);
    expect(data.prerequisites?.length, 'prerequisites').toBeGreaterThanOrEqual(1);
    expect(data.recap?.length, 'recap').toBeGreaterThanOrEqual(2);
  });

  it.each(lessons)('%s lists primary sources with public https addresses', (file) => {
    const { sources } = frontmatter(file);
    expect(sources?.length, 'sources').toBeGreaterThanOrEqual(3);
    for (const source of sources) {
      expect(source.title).toBeTruthy();
      expect(source.url).toMatch(/^https:\/\//);
    }
  });

  it.each(lessons)('%s cites RFC 6202, the HTML standard, MDN, the Node.js docs or nginx', (file) => {
    const urls: string[] = frontmatter(file).sources.map((source) => source.url ?? '');
    const primary = /rfc-editor\.org\/rfc\/rfc(6202|9110|9111|6455|6454|6585)|html\.spec\.whatwg\.org|developer\.mozilla\.org|nodejs\.org|nginx\.org|streams\.spec\.whatwg\.org/;
    expect(urls.some((url) => primary.test(url)), urls.join('\n')).toBe(true);
  });

  it('cites RFC 6202 by section in the lessons that rest on it', () => {
    const cited = lessons.filter((file) =>
      frontmatter(file).sources.some((source) => source.url?.includes('rfc6202') && source.section),
    );
    expect(cited.length).toBeGreaterThanOrEqual(6);
  });
});
