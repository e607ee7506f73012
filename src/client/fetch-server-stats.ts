import type { StatsSnapshot } from '../server/stats/server-stats.ts';
import { MalformedAnswerError } from './malformed-answer.ts';

export type { StatsSnapshot };

/**
 * Checks a `/api/stats` answer: `gauges` and `ratesPerSecond` map names to numbers, `process` holds numbers.
 * @throws MalformedAnswerError otherwise.
 */
export function readStatsSnapshot(value: unknown): StatsSnapshot {
  const snapshot = value as Partial<StatsSnapshot> | null;
  if (typeof snapshot !== 'object' || snapshot === null) throw new MalformedAnswerError('the statistics are not an object');
  for (const part of ['gauges', 'ratesPerSecond', 'process'] as const) {
    const figures = snapshot[part] as Record<string, unknown> | undefined;
    if (typeof figures !== 'object' || figures === null) throw new MalformedAnswerError(`"${part}" is missing`);
    for (const [name, figure] of Object.entries(figures)) {
      if (typeof figure !== 'number' || !Number.isFinite(figure)) throw new MalformedAnswerError(`"${part}.${name}" is not a number`);
    }
  }
  return snapshot as StatsSnapshot;
}

/**
 * Reads what the server holds right now (`GET /api/stats`), for the widgets' cost panels.
 * @throws Error for a failed request or status; MalformedAnswerError for an answer of the wrong shape (the callers poll again).
 */
export async function fetchServerStats(): Promise<StatsSnapshot> {
  const response = await fetch('/api/stats', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/api/stats answered ${response.status}`);
  return readStatsSnapshot(await response.json().catch(() => undefined));
}
