/** Words a learner reads per minute in technical prose (a common, conservative figure). */
export const READING_WORDS_PER_MINUTE = 200;

/**
 * Minutes (whole, at least 1) to read a lesson's MDX source: its prose words, without the
 * front matter, import lines and component tags (code panels are read at their own pace).
 */
export function readingMinutes(mdxSource: string): number {
  const prose = mdxSource
    .replace(/^---[\s\S]*?---/, '')
    .replace(/^(import|export) .*$/gm, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/```[\s\S]*?```/g, ' ');
  const words = prose.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
  return Math.max(1, Math.round(words / READING_WORDS_PER_MINUTE));
}
