import { describe, expect, it } from 'vitest';
import { readingMinutes, READING_WORDS_PER_MINUTE } from '../../../src/build/reading-time.ts';

describe('reading time', () => {
  it('counts prose words only: no front matter, imports, component tags or fenced code', () => {
    const prose = Array.from({ length: READING_WORDS_PER_MINUTE * 3 }, () => 'word').join(' ');
    const code = Array.from({ length: 5_000 }, () => 'token').join(' ');
    const mdx = `---\ntitle: 'A'\n---\nimport X from './X.astro';\n\n<X part="a" />\n${prose}\n\`\`\`ts\n${code}\n\`\`\`\n`;
    expect(readingMinutes(mdx)).toBe(3);
  });

  it('is at least one minute', () => {
    expect(readingMinutes('')).toBe(1);
  });
});
