/**
 * What the server is holding right now, for `/api/stats` and the widgets' cost panels.
 * Features register gauges (read on demand) and rates (counted as they happen, turned
 * into per-second figures by a sampler that ticks once a second).
 */
export interface Rate {
  add(count?: number): void;
  /** Events in the last complete sample window, scaled to one second. */
  readonly perSecond: number;
  readonly total: number;
}

export interface StatsSnapshot {
  gauges: Record<string, number>;
  ratesPerSecond: Record<string, number>;
  process: {
    /** CPU time (user + system) since start, in milliseconds. */
    cpuTimeMs: number;
    /** Share of one core used during the last sample window, in percent. */
    cpuPercent: number;
    rssBytes: number;
    heapUsedBytes: number;
    uptimeSeconds: number;
  };
}

export interface ServerStats {
  addGauge(name: string, read: () => number): void;
  createRate(name: string): Rate;
  snapshot(): StatsSnapshot;
  stop(): void;
}

export function createServerStats({ sampleIntervalMs = 1_000 } = {}): ServerStats {
  const gauges = new Map<string, () => number>();
  const rates = new Map<string, { total: number; atLastSample: number; perSecond: number }>();
  let lastCpu = process.cpuUsage();
  let lastSampleAt = performance.now();
  let cpuPercent = 0;

  const sample = () => {
    const now = performance.now();
    const elapsedMs = now - lastSampleAt;
    if (elapsedMs <= 0) return;
    const cpu = process.cpuUsage(lastCpu);
    cpuPercent = ((cpu.user + cpu.system) / 1_000 / elapsedMs) * 100;
    for (const rate of rates.values()) {
      rate.perSecond = ((rate.total - rate.atLastSample) * 1_000) / elapsedMs;
      rate.atLastSample = rate.total;
    }
    lastCpu = process.cpuUsage();
    lastSampleAt = now;
  };
  const sampler = setInterval(sample, sampleIntervalMs);
  sampler.unref(); // statistics must never keep the process alive

  return {
    addGauge(name, read) {
      if (gauges.has(name)) throw new Error(`gauge "${name}" is already registered`);
      gauges.set(name, read);
    },
    createRate(name) {
      if (rates.has(name)) throw new Error(`rate "${name}" is already registered`);
      const state = { total: 0, atLastSample: 0, perSecond: 0 };
      rates.set(name, state);
      return {
        add(count = 1) {
          state.total += count;
        },
        get perSecond() {
          return state.perSecond;
        },
        get total() {
          return state.total;
        },
      };
    },
    snapshot() {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      return {
        gauges: Object.fromEntries([...gauges].map(([name, read]) => [name, read()])),
        ratesPerSecond: Object.fromEntries(
          [...rates].map(([name, rate]) => [name, Math.round(rate.perSecond * 10) / 10]),
        ),
        process: {
          cpuTimeMs: Math.round((cpu.user + cpu.system) / 1_000),
          cpuPercent: Math.round(cpuPercent * 10) / 10,
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          uptimeSeconds: Math.round(process.uptime()),
        },
      };
    },
    stop() {
      clearInterval(sampler);
    },
  };
}
