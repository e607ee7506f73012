import { createClient } from 'redis';
import type { StatsSnapshot } from '../stats/server-stats.ts';

/** How often each process publishes its figures to Redis, in milliseconds. */
export const STATS_REPORT_INTERVAL_MS = 1_000;
/** A report lapses this long after it was published, in milliseconds: a killed process drops out of the totals within it. */
export const STATS_REPORT_TTL_MS = 3_000;
/** The longest `/api/stats` waits for the other processes' reports, in milliseconds; it then answers without them. */
export const STATS_READ_TIMEOUT_MS = 500;

/**
 * The gauges that add up across processes: what each process holds itself. The others describe
 * the shared chat (rooms, messages, the last id) and are the same from every process, or the
 * file log that only a single process writes.
 */
export const ADDITIVE_GAUGES = ['chatWaiters', 'chatHeldPolls', 'sseStreams', 'chatSockets', 'clockStreams', 'naiveWaiters', 'naiveIdleWaiters'] as const;

/** One process's figures as it last reported them. */
export interface ProcessReport extends StatsSnapshot {
  /** The process's name, as in its answers' `X-Served-By` header (`worker-2/4817`, `single/4817`). */
  servedBy: string;
  /** When it reported, in milliseconds since 1970 on Redis's clock (this process: now). */
  reportedAt: number;
  /** How old the report was when read, in milliseconds (this process: 0, its figures are read live). */
  ageMs: number;
}

/** Every live process's figures, and the totals of those that add up. */
export interface ClusterStats {
  /** Processes that reported within `STATS_REPORT_TTL_MS` (this one included). */
  processes: number;
  /** Sums of the `ADDITIVE_GAUGES` over the processes. */
  gauges: Record<string, number>;
  /** Sums of every rate over the processes, per second. */
  ratesPerSecond: Record<string, number>;
  /** Each process, by name. */
  members: ProcessReport[];
}

/** What `GET /api/stats` answers: this process's snapshot (the shape the cost panels read), its name, and the cluster. */
export interface StatsAnswer extends StatsSnapshot {
  servedBy: string;
  /** Absent only when the processes' reports cannot be read (Redis unreachable or too slow). */
  cluster?: ClusterStats;
}

export interface ClusterStatsOptions {
  /** `REDIS_URL`; without it the cluster is this process alone. */
  redisUrl?: string;
  /** This process's name (`servedBy()`). */
  servedBy: string;
  /** This process's figures now. */
  snapshot: () => StatsSnapshot;
  prefix?: string;
  reportEveryMs?: number;
  reportTtlMs?: number;
  onWarning?: (message: string) => void;
}

export interface ClusterStatsReader {
  /**
   * The cluster as seen now: this process's live figures and the others' last reports.
   * @returns `undefined` when the reports cannot be read (Redis unreachable, or no answer within
   * `STATS_READ_TIMEOUT_MS`); never throws.
   */
  read(own: StatsSnapshot): Promise<ClusterStats | undefined>;
  /** Stops reporting and withdraws this process's report, so that it drops out at once. */
  close(): Promise<void>;
}

// Each report is a hash field (the figures as JSON) and a sorted-set entry scored with the Redis
// time at which it lapses; both scripts first drop the lapsed ones. KEYS[1] reports hash,
// KEYS[2] lapse times.
// #region cluster-report
const DROP_LAPSED = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, name in ipairs(lapsed) do redis.call('HDEL', KEYS[1], name) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
`;

// ARGV name, json, ttlMs.
const REPORT_SCRIPT = `${DROP_LAPSED}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
return 1
`;

// Returns {now, name, lapsesAt, json, name, lapsesAt, json, …}.
const READ_SCRIPT = `${DROP_LAPSED}
local live = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local out = {now}
for i = 1, #live, 2 do
  local report = redis.call('HGET', KEYS[1], live[i])
  if report then
    table.insert(out, live[i])
    table.insert(out, live[i + 1])
    table.insert(out, report)
  end
end
return out
`;
// #endregion cluster-report

/**
 * `/api/stats` across processes. With `redisUrl`, each process publishes its snapshot to Redis
 * every `reportEveryMs` (an unref'd timer, stopped by `close`), as a report that lapses after
 * `reportTtlMs` on Redis's clock; reading sums the live reports. A process killed without warning
 * stops reporting and drops out within `reportTtlMs`. Without `redisUrl` the cluster is this one
 * process: `processes: 1`, its own figures as the totals.
 */
export function createClusterStats({
  redisUrl,
  servedBy,
  snapshot,
  prefix = 'comet:',
  reportEveryMs = STATS_REPORT_INTERVAL_MS,
  reportTtlMs = STATS_REPORT_TTL_MS,
  onWarning = console.warn,
}: ClusterStatsOptions): ClusterStatsReader {
  const ownReport = (own: StatsSnapshot): ProcessReport => ({ servedBy, reportedAt: Date.now(), ageMs: 0, ...own });
  if (!redisUrl) {
    return {
      read: async (own) => totals([ownReport(own)]),
      close: async () => {},
    };
  }

  const keys = [`${prefix}stats:reports`, `${prefix}stats:lapses`];
  const client = createClient({
    url: redisUrl,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
  });
  let lastError = '';
  client.on('error', (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (message !== lastError) onWarning(`Redis (stats): ${message}`);
    lastError = message;
  });
  client.on('ready', () => {
    lastError = '';
    report(); // at once, not a period later
  });
  client.connect().catch(() => {}); // failures are reported by the 'error' listener; it keeps trying

  function report(): void {
    if (!client.isReady) return; // no report: this process drops out of the totals until Redis returns
    const figures = JSON.stringify(snapshot());
    client.eval(REPORT_SCRIPT, { keys, arguments: [servedBy, figures, String(reportTtlMs)] }).catch(() => {}); // reported by 'error'
  }
  const reporter = setInterval(report, reportEveryMs);
  reporter.unref(); // statistics must never keep the process alive

  return {
    async read(own) {
      if (!client.isReady) return undefined;
      let reply: unknown[] | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STATS_READ_TIMEOUT_MS)));
        reply = (await Promise.race([client.eval(READ_SCRIPT, { keys, arguments: [] }), late])) as unknown[] | undefined;
      } catch {
        // reported by 'error'; the answer still carries this process's figures
      } finally {
        clearTimeout(timer);
      }
      if (!reply) return undefined;
      const now = Number(reply[0]);
      const members: ProcessReport[] = [ownReport(own)];
      for (let i = 1; i + 2 < reply.length; i += 3) {
        const name = String(reply[i]);
        if (name === servedBy) continue; // this process: its live figures instead
        const reportedAt = Number(reply[i + 1]) - reportTtlMs;
        members.push({ servedBy: name, reportedAt, ageMs: Math.max(0, now - reportedAt), ...(JSON.parse(String(reply[i + 2])) as StatsSnapshot) });
      }
      return totals(members);
    },
    async close() {
      clearInterval(reporter);
      if (client.isReady) {
        await client.multi().hDel(keys[0]!, servedBy).zRem(keys[1]!, servedBy).exec().catch(() => {});
        await client.close().catch(() => {});
      } else if (client.isOpen) client.destroy();
    },
  };
}

/** The cluster from its members' reports: counts, sums of what adds up, members by name. */
function totals(members: ProcessReport[]): ClusterStats {
  const gauges: Record<string, number> = {};
  const ratesPerSecond: Record<string, number> = {};
  for (const member of members) {
    for (const name of ADDITIVE_GAUGES) {
      const value = member.gauges[name];
      if (typeof value === 'number') gauges[name] = (gauges[name] ?? 0) + value;
    }
    for (const [name, value] of Object.entries(member.ratesPerSecond)) {
      ratesPerSecond[name] = Math.round(((ratesPerSecond[name] ?? 0) + value) * 10) / 10;
    }
  }
  members.sort((a, b) => a.servedBy.localeCompare(b.servedBy, 'en', { numeric: true }));
  return { processes: members.length, gauges, ratesPerSecond, members };
}
