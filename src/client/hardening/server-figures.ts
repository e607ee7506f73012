import { fetchServerStats } from '../fetch-server-stats.ts';

/** The live figures of the cost section, read from `/api/stats`. */
export interface ServerFigures {
  /** Naive waits held: for browsers and for the server's own idle waiters. */
  naiveWaits: number;
  fileChecksPerSecond: number;
  chatPolls: number;
  clockFrames: number;
  cpuPercent: number;
}

export async function readServerFigures(): Promise<ServerFigures> {
  const { gauges, ratesPerSecond, process } = await fetchServerStats();
  return {
    naiveWaits: (gauges.naiveWaiters ?? 0) + (gauges.naiveIdleWaiters ?? 0),
    fileChecksPerSecond: Math.round(ratesPerSecond.naiveStatCalls ?? 0),
    chatPolls: gauges.chatWaiters ?? 0,
    clockFrames: gauges.clockStreams ?? 0,
    cpuPercent: process.cpuPercent,
  };
}
