/** The live figures of the cost section, read from `/api/stats`. */
export interface ServerFigures {
  /** Naive waits held: for browsers and for the server's own idle waiters. */
  naiveWaits: number;
  fileChecksPerSecond: number;
  chatPolls: number;
  clockFrames: number;
  cpuPercent: number;
}

interface StatsSnapshot {
  gauges: Record<string, number>;
  ratesPerSecond: Record<string, number>;
  process: { cpuPercent: number };
}

export async function readServerFigures(): Promise<ServerFigures> {
  const response = await fetch('/api/stats', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/api/stats answered ${response.status}`);
  const { gauges, ratesPerSecond, process } = (await response.json()) as StatsSnapshot;
  return {
    naiveWaits: (gauges.naiveWaiters ?? 0) + (gauges.naiveIdleWaiters ?? 0),
    fileChecksPerSecond: Math.round(ratesPerSecond.naiveStatCalls ?? 0),
    chatPolls: gauges.chatWaiters ?? 0,
    clockFrames: gauges.clockStreams ?? 0,
    cpuPercent: process.cpuPercent,
  };
}
