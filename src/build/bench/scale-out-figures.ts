import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatNumber } from './chart-scale.ts';
import { RESULTS_DIR } from './latest-run.ts';

/** The latest full scale-out run (`npm run bench` writes it beside the dated results). */
export const SCALE_OUT_RESULTS_FILE = `${RESULTS_DIR}/scale-out.json`;

interface ScaleOutRow {
  label: string;
  workers: number;
  redis: boolean;
  /** `error` instead of figures when the run could not finish (a post timed out on a swamped machine). */
  fanOut: {
    waiters: number;
    rounds?: number;
    expected?: number;
    received?: number;
    /** Median over rounds of the time until the last held poll had the message, in milliseconds. */
    completeMs?: number;
    perRoundMs?: number[];
    p50Ms?: number;
    p99Ms?: number;
    error?: string;
  };
  throughput: { posters: number; listeners: number; seconds: number; acknowledged: number; refused: number; postsPerSecond: number; deliveriesPerSecond: number };
}

interface ScaleOutRun {
  startedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; nodeVersion: string; loadAverage: { atStart: number; atEnd: number | null } };
  cpus: number;
  /** When the scale-out part started; runs made before it was recorded at the start carry the run's own (`machine.loadAverage.atStart`). */
  loadAverageAtStart: number;
  loadAverageAtEnd?: number;
  settings: { waiters: number; rounds: number; posters: number; listeners: number; throughputSeconds: number };
  rows: ScaleOutRow[];
}

const count = (value: number) => formatNumber(value, 0);

/**
 * What the scale-out lesson prints from the committed run: the figures in its prose, formatted,
 * and its two charts. Nothing on the page is typed by hand.
 */
export function scaleOutFigures(file = SCALE_OUT_RESULTS_FILE) {
  const run = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as ScaleOutRun;
  const row = (workers: number, redis: boolean) => {
    const found = run.rows.find((candidate) => candidate.workers === workers && candidate.redis === redis);
    if (!found) throw new Error(`${file} has no row for ${workers} process(es) ${redis ? 'on Redis' : 'embedded'}; run "npm run bench".`);
    return found;
  };
  const measured = run.rows.filter((candidate) => candidate.fanOut.error === undefined);
  const failed = run.rows.filter((candidate) => candidate.fanOut.error !== undefined);
  const delivered = measured.reduce((sum, candidate) => sum + (candidate.fanOut.received ?? 0), 0);
  const expected = measured.reduce((sum, candidate) => sum + (candidate.fanOut.expected ?? 0), 0);
  row(1, false); // the baseline must be there
  return {
    text: {
      file,
      date: run.startedAt.slice(0, 10),
      command: run.command,
      machine: `${run.machine.cpus} cores (${run.machine.cpuModel})`,
      cores: String(run.machine.cpus),
      node: run.machine.nodeVersion,
      // The run's own start: older files recorded the part's "start" figure at its end.
      loadAverage: formatNumber(run.machine.loadAverage.atStart, 1),
      waiters: count(run.settings.waiters),
      rounds: String(run.settings.rounds),
      posters: String(run.settings.posters),
      listeners: String(run.settings.listeners),
      throughputSeconds: String(run.settings.throughputSeconds),
      /** How many of the expected fan-out answers carried the message, over the configurations measured. */
      delivered: `${count(delivered)} of ${count(expected)}`,
      /** Configurations whose fan-out could not be measured, and why, or '' when all were. */
      failedFanOut: failed.map((candidate) => `${candidate.label} (${candidate.fanOut.error})`).join('; '),
    },
    charts: {
      fanOut: {
        title: `Fan-out: time until all ${count(run.settings.waiters)} held polls have one posted message`,
        caption: `Median over ${run.settings.rounds} rounds, from the post to the last answer, all clients in the bench process on the same cores.`,
        series: [{ name: 'until the last client has it', tone: 'accent' as const }],
        groups: run.rows.map((candidate) => ({ label: candidate.label, values: [candidate.fanOut.completeMs] })),
        unit: 'ms',
        digits: 0,
      },
      throughput: {
        title: `Acknowledged posts per second, ${run.settings.posters} posters and ${run.settings.listeners} listeners`,
        caption: `Posts answered 201 during ${run.settings.throughputSeconds} s, each poster sending its next post when the last is acknowledged.`,
        series: [{ name: 'posts per second', tone: 'accent' as const }],
        groups: run.rows.map((candidate) => ({ label: candidate.label, values: [candidate.throughput.postsPerSecond] })),
        unit: 'posts/s',
        digits: 0,
      },
    },
  };
}
