import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatNumber } from '../bench/chart-scale.ts';
import { benchFigures } from '../bench/lesson-figures.ts';

/**
 * Figures the lessons quote from committed measurements, never typed by hand:
 * - the newest full bench run (`bench/results/YYYY-MM-DD.json`, `npm run bench`);
 * - the newest steady-state run (`bench/results/steady-state/YYYY-MM-DD.json`,
 *   `npx node bench/steady-state.mjs`): idle CPU over a window longer than the poll timeout,
 *   and the chat log's fsync time and batch sizes;
 * - the newest recorded run of the bad-input suite (`bench/results/bad-input/YYYY-MM-DD.json`),
 *   which that suite prints at its end ("bad-input: N requests in S s").
 * Each value is a string, formatted as the lesson prints it.
 */
const RESULT_FILE = /^\d{4}-\d{2}-\d{2}\.json$/;

function newestResult<T>(dir: string, root = process.cwd()): T & { file: string } {
  const folder = path.join(root, dir);
  const [newest] = readdirSync(folder).filter((name) => RESULT_FILE.test(name)).sort().reverse();
  if (!newest) throw new Error(`No result file in ${dir}/ (expected YYYY-MM-DD.json); the lessons quote it.`);
  return { ...(JSON.parse(readFileSync(path.join(folder, newest), 'utf8')) as T), file: `${dir}/${newest}` };
}

interface Window {
  seconds: number;
  cpuPercent: number;
  answersPerSecond: number;
}

interface SteadyStateRun {
  startedAt: string;
  machine: { cpus: number; loadAverage: { atStart: number; atEnd: number | null } };
  steadyIdle: { loadAverage: { atStart: number }; waiters: number; held: number; pollTimeoutMs: number; expectedAnswersPerSecond: number; short: Window; long: Window };
  logBatches: {
    loadAverage: { atStart: number };
    posters: number;
    seconds: number;
    acceptedPerSecond: number;
    cpuPercent: number;
    batchesPerSecond: number;
    fsyncMs: { p50: number; p99: number; mean: number };
    fsyncBusyPercent: number;
    linesPerBatch: { mean: number; p50: number; max: number };
  };
}

interface BadInputRun {
  recordedAt: string;
  command: string;
  requests: number;
  seconds: number;
  loadAverage: number;
}

/** Random cases per run of the bad-input suite, read from the suite itself: RUNS × the properties that use it. */
function badInputRandomCases(file = 'tests/http/bad-input.test.ts', root = process.cwd()): number {
  const source = readFileSync(path.join(root, file), 'utf8');
  const runs = Number(source.match(/^const RUNS = (\d+);$/m)?.[1]);
  const properties = source.match(/numRuns: RUNS\b/g)?.length ?? 0;
  if (!runs || !properties) throw new Error(`${file}: expected "const RUNS = N;" and properties run with "numRuns: RUNS".`);
  return runs * properties;
}

const number = (value: number, digits = 1) => formatNumber(value, digits);
const seconds = (value: number) => `${formatNumber(value, 1)} s`;
const percent = (value: number, digits = 2) => `${formatNumber(value, digits)} %`;
const ms = (value: number) => `${formatNumber(value, 1)} ms`;

function measuredFiguresNow() {
  const { text: bench, run } = benchFigures();
  const sampleCounts = run.idle
    .filter((row) => row.target === 'site')
    .flatMap((row) => [row.latencyMs.stats.count, row.latencyMs.lessonPage?.count, row.latencyMs.roundTrip.count])
    .filter((count): count is number => typeof count === 'number' && count > 0);
  const steady = newestResult<SteadyStateRun>('bench/results/steady-state');
  const badInput = newestResult<BadInputRun>('bench/results/bad-input');
  const { steadyIdle: idle, logBatches: log } = steady;
  return {
    // The full bench run (lesson 7 quotes it in full)
    benchFile: bench.file,
    naiveWaiters: bench.naiveWaiters,
    naiveStatCallsPerSecond: bench.naiveStats,
    chatStatCallsPerSecond: bench.chatStats,
    idleWaiters: bench.middleIdle,
    idleCpuShortWindow: bench.idleCpuSite,
    idleShortWindow: bench.idleWindow,
    idleSamplesFewest: number(Math.min(...sampleCounts), 0),
    idleSamplesMost: number(Math.max(...sampleCounts), 0),
    // Steady state, window longer than the poll timeout
    steadyFile: steady.file,
    steadyDate: steady.startedAt.slice(0, 10),
    steadyLoad: number(idle.loadAverage.atStart, 2),
    logLoad: number(log.loadAverage.atStart, 2),
    steadyCpus: number(steady.machine.cpus, 0),
    steadyWaiters: number(idle.held, 0),
    steadyShortWindow: seconds(idle.short.seconds),
    steadyShortCpu: percent(idle.short.cpuPercent, 3),
    steadyShortAnswers: number(idle.short.answersPerSecond, 0),
    steadyLongWindow: seconds(idle.long.seconds),
    steadyLongCpu: percent(idle.long.cpuPercent, 1),
    steadyLongAnswers: number(idle.long.answersPerSecond, 0),
    steadyExpectedAnswers: number(idle.expectedAnswersPerSecond, 0),
    // The log's group commit
    logPosters: number(log.posters, 0),
    logAcceptedPerSecond: number(log.acceptedPerSecond, 0),
    logBatchesPerSecond: number(log.batchesPerSecond, 0),
    logFsyncP50: ms(log.fsyncMs.p50),
    logFsyncP99: ms(log.fsyncMs.p99),
    logFsyncBusy: percent(log.fsyncBusyPercent, 0),
    logLinesPerBatchMean: number(log.linesPerBatch.mean, 1),
    logLinesPerBatchMax: number(log.linesPerBatch.max, 0),
    logCpu: percent(log.cpuPercent, 0),
    // The bad-input suite
    badInputFile: badInput.file,
    badInputCases: number(badInputRandomCases(), 0),
    badInputRequests: number(badInput.requests, 0),
    badInputSeconds: seconds(badInput.seconds),
    badInputLoad: number(badInput.loadAverage, 2),
  };
}

export type MeasuredFigureName = keyof ReturnType<typeof measuredFiguresNow>;

let cached: ReturnType<typeof measuredFiguresNow> | undefined;

/** A measured figure as the lesson prints it; read once per build. */
export function measuredFigure(name: MeasuredFigureName): string {
  cached ??= measuredFiguresNow();
  const value = cached[name];
  if (value === undefined) throw new Error(`Unknown measured figure "${name}". Expected one of: ${Object.keys(cached).join(', ')}`);
  return value;
}
