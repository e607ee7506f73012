/**
 * Prints a figure the way the lessons write it: thousands separated ("10,000"), durations in
 * the unit that reads best ("10 ms", "25 s", "5 minutes", "24 hours"), sizes in KiB or MiB.
 */
export type FigureUnit = 'ms' | 'bytes' | 'count' | 'per-second' | 'times';

const number = (value: number, digits = 2) => value.toLocaleString('en-US', { maximumFractionDigits: digits });
const plural = (value: number, word: string) => `${number(value)} ${word}${value === 1 ? '' : 's'}`;

/** A duration in milliseconds: "ms" below a second, "s" below two minutes, then minutes, then hours. */
export function formatDurationMs(ms: number, style: 'auto' | 'ms' | 'seconds' | 'number' = 'auto'): string {
  if (style === 'ms') return `${number(ms)} ms`;
  if (style === 'seconds') return plural(ms / 1_000, 'second');
  if (style === 'number') return number(ms / 1_000);
  if (ms < 1_000) return `${number(ms)} ms`;
  if (ms < 120_000) return `${number(ms / 1_000)} s`;
  if (ms < 2 * 3_600_000) return plural(ms / 60_000, 'minute');
  return plural(ms / 3_600_000, 'hour');
}

/** A size in bytes: bytes below 1 KiB, KiB below 1 MiB, then MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${number(bytes)} bytes`;
  if (bytes < 1024 ** 2) return `${number(bytes / 1024, 1)} KiB`;
  return `${number(bytes / 1024 ** 2, 1)} MiB`;
}

export function formatFigureValue(value: number, unit: FigureUnit, style: 'auto' | 'ms' | 'seconds' | 'number' = 'auto'): string {
  switch (unit) {
    case 'ms':
      return formatDurationMs(value, style);
    case 'bytes':
      return style === 'number' ? number(value) : formatBytes(value);
    case 'per-second':
      return style === 'number' ? number(value) : `${number(value)} a second`;
    case 'times':
    case 'count':
      return number(value);
  }
}
