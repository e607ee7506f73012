import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTypedFigures, frontmatterTextOf, proseOf } from './typed-figure-finder.ts';

// Every figure a lesson gives about this site comes from the code (`<Figure of="…" />`) or from a
// committed measurement; none is typed. Figures about other software are allowed only here, one
// exact phrase at a time, each with the reason it is not about this site.
const NOT_ABOUT_THIS_SITE: Record<string, string[]> = {
  // Socket.IO's documented client defaults, quoted for comparison (socket.io docs, "reconnectionDelay").
  '05-reconnection.mdx': ['1 s initial delay doubling to a 5 s cap'],
  // The original article's PHP loop and the original client, described as they were.
  // The whole-second resolution of a file's modification time (PHP's filemtime), which the demo's button names.
  '02-naive-busy-loop.mdx': ['within one second'],
};

/** The same for components: phrases that describe a demo's own inputs or a drawn scenario, not the site. */
const COMPONENT_PHRASES_NOT_ABOUT_THIS_SITE: Record<string, string[]> = {
  'NaiveChatDemo.astro': ['within one second'],
  // The flood the demo itself sends (FLOOD_SIZE, FLOOD_HOLD_MS in its script): a demo input, more than the per-client limit.
  'PollLimitsDemo.astro': ['twelve long polls', '12 long polls', 'up to 8 s'],
};

const lessonsDir = 'src/content/lessons';
const lessons = readdirSync(lessonsDir).filter((file) => file.endsWith('.mdx'));

/** Components whose text (diagrams, captions, labels) lessons show; their scripts are not prose. */
const componentsDir = 'src/components';
const components = (readdirSync(componentsDir, { recursive: true }) as string[]).filter((file) => file.endsWith('.astro'));

describe('the typed-figure finder', () => {
  it.each([
    'the server answers after 25 s',
    'at most 6,000 frames',
    'about 2 KiB of padding',
    'every 10 ms',
    'five messages at 5 a second',
    'it used 0.03 % of a core',
    'it waited five seconds',
    'a hundred times a second',
    '10_000 polls',
    'a 128 KiB bound',
    'ten polls from one address',
    'at most 500 messages per room',
  ])('catches a typed figure in "%s"', (text) => {
    expect(findTypedFigures(text)).not.toEqual([]);
  });

  it.each([
    'RFC 6202 §2.2 and WHATWG HTML §9.2.3',
    'coined in 2006',
    'HTTP/1.1 and HTTP/2',
    'it answers 429 or 503 with Retry-After',
    'six connections per host, two things to change',
    'lesson 4 builds the log',
  ])('leaves "%s" alone', (text) => {
    expect(findTypedFigures(text)).toEqual([]);
  });

  it('ignores code, expressions and component tags', () => {
    const source = "---\ntitle: 'x'\n---\nimport A from './a';\n\nWaits <Figure of=\"pollTimeout\" /> and {t.idleWindow}.\n\n```php\nusleep(10 * 1000); // 10 ms\n```\n`25 s` in code";
    expect(findTypedFigures(proseOf(source))).toEqual([]);
  });
});

describe('lessons type no figure about the site', () => {
  it.each(lessons)('%s: prose', (file) => {
    const source = readFileSync(path.join(lessonsDir, file), 'utf8');
    expect(findTypedFigures(proseOf(source), NOT_ABOUT_THIS_SITE[file])).toEqual([]);
  });

  it.each(lessons)('%s: summary, outcomes, prerequisites, recap and notes', (file) => {
    const source = readFileSync(path.join(lessonsDir, file), 'utf8');
    expect(findTypedFigures(frontmatterTextOf(source), NOT_ABOUT_THIS_SITE[file])).toEqual([]);
  });

  it.each(components)('%s: diagrams, captions and labels', (file) => {
    const source = readFileSync(path.join(componentsDir, file), 'utf8');
    expect(findTypedFigures(proseOf(source), COMPONENT_PHRASES_NOT_ABOUT_THIS_SITE[path.basename(file)])).toEqual([]);
  });
});
