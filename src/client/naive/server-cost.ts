import { fetchServerStats, type StatsSnapshot } from '../fetch-server-stats.ts';

/**
 * The naive widget's cost panel reads `/api/stats` once a second: how many requests the
 * naive backend is holding, how often they look at the file, and the server's CPU use.
 */
export interface NaiveCost {
  /** Waits held for browsers. */
  waiters: number;
  /** Waits the server holds for itself (the "add idle waiters" button). */
  idleWaiters: number;
  statCallsPerSecond: number;
  cpuPercent: number;
}


export function naiveCostOf(snapshot: StatsSnapshot): NaiveCost {
  return {
    waiters: snapshot.gauges.naiveWaiters ?? 0,
    idleWaiters: snapshot.gauges.naiveIdleWaiters ?? 0,
    statCallsPerSecond: snapshot.ratesPerSecond.naiveStatCalls ?? 0,
    cpuPercent: snapshot.process.cpuPercent,
  };
}

/** Reads the cost every `intervalMs` until the returned function is called. */
export function watchServerCost(
  onCost: (cost: NaiveCost) => void,
  onError: (message: string) => void,
  intervalMs = 1_000,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const read = async () => {
    try {
      const snapshot = await fetchServerStats();
      if (!stopped) onCost(naiveCostOf(snapshot));
    } catch (error) {
      if (!stopped) onError(error instanceof Error ? error.message : String(error));
    }
    if (!stopped) timer = setTimeout(read, intervalMs);
  };
  void read();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Asks the server to hold a batch of idle waiters; resolves with a sentence for the learner. */
export async function addIdleWaiters(): Promise<string> {
  const response = await fetch('/api/naive/load', { method: 'POST', cache: 'no-store' });
  const body = (await response.json()) as { added?: number; held?: number; holdSeconds?: number; error?: string };
  if (!response.ok) throw new Error(body.error ?? `the server answered ${response.status}`);
  return `The server added ${body.added} idle waiters for ${body.holdSeconds} s; it now holds ${body.held} in all.`;
}
