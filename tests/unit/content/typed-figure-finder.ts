/**
 * Finds figures typed by hand in a lesson's text: a number with a unit of time, size, rate or
 * share ("25 s", "2 KiB", "5 a second", "0.03 %"), a number with thousands separators
 * ("6,000"), or a spelled-out duration ("five seconds"). What is left alone: section numbers
 * ("§9.2.3", "RFC 6202"), protocol versions ("HTTP/1.1"), years, status codes and ordinary
 * small counts ("two things"), and everything inside code blocks, inline code, JSX
 * expressions and component tags, which is where figures read from the code belong.
 */
export interface TypedFigure {
  line: number;
  text: string;
}

const UNIT =
  String.raw`(?:ms|milliseconds?|s|sec|seconds?|minutes?|min|hours?|h|days?|KiB|MiB|GiB|KB|MB|kB|bytes?|B|%|per ?cent|characters|chars|a second|per second|/s|×)`;
const DIGITS = String.raw`\d[\d,._]*(?:\.\d+)?`;
const WORD_NUMBER = String.raw`(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|a hundred|hundred|a thousand|thousand|half a|a few hundred|a few thousand)`;

/** Small numbers in words that describe a count of the site's own ("ten polls"), not "two messages" of an example. */
const COUNT_WORD = String.raw`(?:five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a hundred|a thousand)`;

const PATTERNS: RegExp[] = [
  // a number and a unit: "25 s", "2 KiB", "10,000 polls a second" is caught by the next one
  new RegExp(String.raw`(?<![\w§./-])${DIGITS}(?:[\s\u00a0]${UNIT}|\s?[%×])(?![\w/])`, 'g'),
  // thousands: "6,000", "10_000"
  /(?<![\w§.])\d{1,3}(?:[,_]\d{3})+(?![\w])/g,
  // counts of the things the site bounds: "10 per client", "500 messages", "ten polls"
  new RegExp(String.raw`(?<![\w§./-])(?:\d+(?:,\d{3})*|${COUNT_WORD})\s(?:per client|messages|polls|long polls|waiters|frames|streams|event streams|waits|rooms|checks)\b`, 'gi'),
  // spelled-out durations and rates: "five seconds", "a hundred times a second", "two and a half intervals"
  new RegExp(String.raw`\b${WORD_NUMBER}(?: and a half)?\s(?:milliseconds?|seconds?|minutes?|hours?|times a second|ticks|intervals)\b`, 'gi'),
];

/** Replaces what may hold figures legitimately (code, expressions, tags) by spaces, keeping line breaks. */
export function proseOf(source: string): string {
  const blank = (match: string) => match.replace(/[^\n]/g, ' ');
  return source
    .replace(/^---\n[\s\S]*?\n---\n/, (frontmatter) => blank(frontmatter).replace(/^/, ''))
    .replace(/```[\s\S]*?```/g, blank)
    .replace(/^(import|export) .*$/gm, blank)
    .replace(/<script[\s\S]*?<\/script>/g, blank)
    .replace(/<style[\s\S]*?<\/style>/g, blank)
    .replace(/<option[\s\S]*?<\/option>/g, blank) // a demo's choices for the learner, not the site's figures
    .replace(/`[^`\n]*`/g, blank)
    .replace(/\{[^{}<>]*\}/g, blank) // expressions; text inside JSX markup within braces is still read
    .replace(/<[^>]*>/g, blank)
    .replace(/\]\([^)]*\)/g, blank); // link targets
}

/** The frontmatter's free text (summary, outcomes, prerequisites, recap, source notes): lessons may not type figures there either. */
export function frontmatterTextOf(source: string): string {
  const frontmatter = source.match(/^---\n([\s\S]*?)\n---\n/)?.[1] ?? '';
  return frontmatter
    .split('\n')
    .map((line) => (/^\s*(-\s*)?(summary|note|section|title|url|order|testCommand|articleSection|articleAnchor|technique):/.test(line) && !/^\s*(summary|note):/.test(line) ? '' : line))
    .join('\n')
    .replace(/https?:\/\/\S+/g, '');
}

export function findTypedFigures(text: string, allowed: readonly string[] = []): TypedFigure[] {
  const found: TypedFigure[] = [];
  text.split('\n').forEach((line, index) => {
    let rest = line;
    for (const phrase of allowed) rest = rest.split(phrase).join(' '.repeat(phrase.length));
    for (const pattern of PATTERNS) {
      for (const match of rest.matchAll(pattern)) {
        if (/^0(?:\.0+)?\s?[^\d.,]/.test(match[0])) continue; // "0 B", "0 ms": an empty counter, not a figure
        found.push({ line: index + 1, text: match[0] });
      }
    }
  });
  return found;
}
