import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The newest committed full run of `npm run bench`, read at build time, so that every
 * figure on the "Measure it yourself" page comes from a result file, never from prose.
 * Full runs are named `YYYY-MM-DD.json`; quick runs (`quick-…`) are smoke runs and are skipped.
 */
export const RESULTS_DIR = 'bench/results';
const FULL_RUN_FILE = /^\d{4}-\d{2}-\d{2}\.json$/;

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface IdleRow {
  target: 'site' | 'reference';
  waiters: number;
  held: number;
  rssBaselineBytes: number;
  rssBytes: number;
  rssPerWaiterBytes: number;
  /** JavaScript heap in use per waiter (absent from runs made before it was measured). */
  heapUsedPerWaiterBytes?: number;
  idleCpuPercent: number;
  idleWindowSeconds: number;
  latencyMs: { stats: LatencySummary; lessonPage?: LatencySummary; roundTrip: LatencySummary };
}

export interface FanOutRow {
  target: 'site' | 'reference';
  clients: number;
  rounds: number;
  received: number;
  expected: number;
  latencyMs: LatencySummary;
  /** Median over rounds of the time until the last client had the message. */
  completeMs: number;
  /** Median over rounds of the time until the first client had it. */
  firstMs: number;
  perRound: { firstMs: number; lastMs: number }[];
}

export interface WaiterCost {
  held: number;
  cpuSecondsPerSecond: number;
  statCallsPerSecond: number;
}

export interface ThroughputRow {
  target: 'site' | 'reference';
  listeners: number;
  posters: number;
  seconds: number;
  acceptedPerSecond: number;
  deliveriesPerSecond: number;
  deliveries: number;
  expectedDeliveries: number;
  cpuPercent: number;
  latencyMs: LatencySummary;
}

export interface Target {
  id: string;
  goal: string;
  measured: number | null;
  unit: string;
  detail: string;
  met: boolean | null;
}

export interface BenchRun {
  /** The file it was read from, relative to the project root. */
  file: string;
  schema: 1;
  mode: 'full' | 'quick';
  startedAt: string;
  durationSeconds: number;
  command: string;
  machine: {
    cpus: number;
    cpuModel: string;
    totalMemoryBytes: number;
    platform: string;
    kernel: string;
    nodeVersion: string;
    openFileLimit: { bench: { soft: number | null } | null; server: { soft: number | null } | null };
    loadAverage?: { atStart: number; atEnd: number | null };
  };
  settings: { idleWindowSeconds: number; compareWaiters: number; compareWindowSeconds: number; clockFrames: number; clockWindowSeconds: number };
  idle: IdleRow[];
  fanOut: FanOutRow[];
  naiveVsEvent: {
    waiters: number;
    seconds: number;
    naive: WaiterCost;
    chat: WaiterCost;
    reference: WaiterCost;
    cpuRatioNaiveToChat: number;
  };
  throughput: ThroughputRow[];
  clock: {
    frames: number;
    held: number;
    seconds: number;
    expectedTicksPerFrame: number;
    ticksPerFrame: { min: number; mean: number; p50: number };
    jitterMs: LatencySummary;
    cpuPercent: number;
  };
  targets: Target[];
}

const REQUIRED_SECTIONS = ['machine', 'idle', 'fanOut', 'naiveVsEvent', 'throughput', 'clock', 'targets'] as const;

/** Reads the newest full run in `dir`; fails the build with a clear message if there is none. */
export function readLatestBenchRun(dir = RESULTS_DIR, root = process.cwd()): BenchRun {
  const folder = path.resolve(root, dir);
  let names: string[] = [];
  try {
    names = readdirSync(folder);
  } catch {
    // reported below, like an empty folder
  }
  const newest = names.filter((name) => FULL_RUN_FILE.test(name)).sort().at(-1);
  if (!newest) {
    throw new Error(`No full benchmark result in ${dir}/ (expected a file named YYYY-MM-DD.json): run "npm run build && npm run bench" and commit the result.`);
  }
  const file = path.join(dir, newest);
  const run = JSON.parse(readFileSync(path.resolve(root, file), 'utf8')) as Omit<BenchRun, 'file'>;
  if (run.schema !== 1 || run.mode !== 'full') {
    throw new Error(`${file}: expected a full run of result schema 1; received mode "${run.mode}", schema ${run.schema}.`);
  }
  const missing = REQUIRED_SECTIONS.filter((section) => run[section] === undefined);
  if (missing.length) throw new Error(`${file} lacks ${missing.join(', ')}: it is not a complete full run.`);
  return { ...run, file };
}

/** The row of `rows` for one server at one size. */
export function rowFor<T extends { target: string }>(rows: T[], target: T['target'], where: (row: T) => boolean): T | undefined {
  return rows.find((row) => row.target === target && where(row));
}
