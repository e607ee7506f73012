import type { StatsSnapshot } from '../server/stats/server-stats.ts';

export type { StatsSnapshot };

/** Reads what the server holds right now (`GET /api/stats`), for the widgets' cost panels. */
export async function fetchServerStats(): Promise<StatsSnapshot> {
  const response = await fetch('/api/stats', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/api/stats answered ${response.status}`);
  return (await response.json()) as StatsSnapshot;
}
