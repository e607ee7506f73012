// `npm run bench [-- --quick] [--out DIR] [--only PHASES] [--cpu-prof]`
// Measures the built site against the bare reference chat server (bench/reference/), each
// started in its own process on a free loopback port, and writes <date>.json and <date>.md
// to bench/results/. Builds nothing: run `npm run build` first (BUILD_DIR picks the folder).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, loadAverageNow } from './lib/machine.mjs';
import { renderMarkdown } from './lib/markdown-report.mjs';
import { killAllServers, observed } from './lib/server-process.mjs';
import { evaluateTargets } from './lib/targets.mjs';
import { measureClock } from './phases/clock-frames.mjs';
import { measureFanOut } from './phases/fan-out.mjs';
import { measureIdleCapacity } from './phases/idle-capacity.mjs';
import { measureNaiveVsEvent } from './phases/naive-vs-event.mjs';
import { measureOneProcess, ONE_PROCESS_SERVERS } from './phases/one-process.mjs';
import { measureScaleOut } from './phases/scale-out.mjs';
import { measureThroughput } from './phases/throughput.mjs';
import { measureTransport, renderTransportsMarkdown, TRANSPORTS } from './phases/transports.mjs';

const root = path.resolve(import.meta.dirname, '..');
const PHASES = ['idle', 'fan-out', 'naive', 'throughput', 'clock', 'transports', 'one-process', 'scale-out'];
/** Phases that start servers of their own and run only when named in --only, in a quick run. */
const NOT_IN_QUICK = ['one-process', 'scale-out'];
const USAGE = `Usage: npm run bench [-- --quick] [--out DIR] [--only ${PHASES.join(',')}] [--cpu-prof]
  --quick     small numbers, finishes in under a minute (a smoke run; results are git-ignored)
  --out DIR   write the result files to DIR instead of bench/results/
  --only LIST run only these measurements (comma-separated); --quick leaves out ${NOT_IN_QUICK.join(' and ')} unless named here
  --cpu-prof  write V8 CPU profiles of the site server to a temporary folder (printed at the end)`;

/** Full run: the figures the targets are stated for; about 5 minutes on 2 cores. Quick run: the same code paths, small. */
const SETTINGS = {
  full: {
    idleSizes: [1_000, 5_000, 10_000, 15_000],
    idleWindowMs: 5_000,
    settleMs: 1_000,
    rampTimeoutMs: 60_000,
    latencySamples: 200,
    pageSamples: 100,
    roundTripSamples: 100,
    latencyTimeoutMs: 20_000,
    fanOutSizes: [100, 1_000, 10_000],
    fanOutRounds: (clients) => (clients >= 10_000 ? 3 : clients >= 1_000 ? 5 : 10),
    fanOutPauseMs: 200,
    fanOutTimeoutMs: 15_000,
    compareWaiters: 200,
    compareWindowMs: 10_000,
    listeners: 50,
    posters: 10,
    throughputMs: 10_000,
    drainTimeoutMs: 5_000,
    clockFrames: 5_000,
    clockWindowMs: 10_000,
    clockBatch: 200,
    transportClients: 1_000,
    transportMessages: 20,
    transportSpacingMs: 250,
    deliveryTimeoutMs: 20_000,
    oneProcess: { heldPolls: 5_000, rounds: 3, simpleConnections: 50, simpleWindowMs: 5_000 },
    scaleOut: { waiters: 10_000, rounds: 3, posters: 8, listeners: 100, throughputMs: 5_000, settleMs: 1_000, rampTimeoutMs: 120_000, timeoutMs: 60_000 },
    runTimeoutMs: 30 * 60_000,
  },
  quick: {
    idleSizes: [200],
    idleWindowMs: 2_000,
    settleMs: 300,
    rampTimeoutMs: 15_000,
    latencySamples: 50,
    pageSamples: 30,
    roundTripSamples: 30,
    latencyTimeoutMs: 5_000,
    fanOutSizes: [100],
    fanOutRounds: () => 3,
    fanOutPauseMs: 100,
    fanOutTimeoutMs: 5_000,
    compareWaiters: 200,
    compareWindowMs: 2_000,
    listeners: 50,
    posters: 10,
    throughputMs: 2_000,
    drainTimeoutMs: 2_000,
    clockFrames: 200,
    clockWindowMs: 3_000,
    clockBatch: 100,
    transportClients: 100,
    transportMessages: 5,
    transportSpacingMs: 100,
    deliveryTimeoutMs: 5_000,
    oneProcess: { heldPolls: 200, rounds: 2, simpleConnections: 20, simpleWindowMs: 1_000 },
    scaleOut: { waiters: 200, rounds: 2, posters: 4, listeners: 20, throughputMs: 1_000, settleMs: 300, rampTimeoutMs: 30_000, timeoutMs: 10_000 },
    runTimeoutMs: 2 * 60_000,
  },
};
/** Sockets the server needs besides the measured waiters: control connections, files, listeners. */
const FILE_HEADROOM = 200;

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
// The quick smoke run leaves out the scale-out part (redis-server and five servers) and the
// one-process comparison (six servers): run them with --only.
const phases = options.only ? options.only.split(',') : PHASES.filter((phase) => !(options.quick && NOT_IN_QUICK.includes(phase)));
const unknown = phases.filter((phase) => !PHASES.includes(phase));
if (unknown.length) {
  console.error(`Unknown measurement "${unknown.join(', ')}".\n${USAGE}`);
  process.exit(2);
}

const buildDir = process.env.BUILD_DIR || 'dist';
if (!existsSync(path.join(root, buildDir, 'server/entry.mjs'))) {
  console.error(`No build found in ${buildDir}/. The bench measures the built site and builds nothing itself: run "npm run build" first.`);
  process.exit(1);
}

// Whatever happens, no server outlives the bench.
process.on('exit', killAllServers);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\nInterrupted (${signal}): stopping the servers.`);
    killAllServers();
    process.exit(130);
  });
}
process.on('unhandledRejection', (error) => {
  console.error('Unexpected failure:', error);
  killAllServers();
  process.exit(1);
});

const mode = options.quick ? 'quick' : 'full';
const settings = SETTINGS[mode];
const watchdog = setTimeout(() => {
  console.error(`The bench ran longer than ${settings.runTimeoutMs / 60_000} minutes: stopping.`);
  killAllServers();
  process.exit(1);
}, settings.runTimeoutMs);
watchdog.unref();

const cpuProfileDir = options['cpu-prof'] ? mkdtempSync(path.join(tmpdir(), 'comet-bench-profiles-')) : undefined;
const siteNodeArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
const biggest = Math.max(...settings.idleSizes, ...settings.fanOutSizes, settings.compareWaiters, settings.oneProcess.heldPolls);
const env = {
  RATE_LIMITS: 'off', // every bench client shares one address: per-client limits would refuse them
  MAX_WAITERS: String(biggest + 1_000),
  MAX_CLOCK_STREAMS: String(settings.clockFrames + 1_000),
};
const lessonPath = firstLessonPath();
const log = (line) => console.log(`  ${line}`);
const machine = describeMachine();
const openFileLimit = machine.openFileLimit.bench?.soft ?? Infinity;

const startedAt = new Date();
const results = {
  schema: 1,
  mode,
  startedAt: startedAt.toISOString(),
  durationSeconds: 0,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  buildDir,
  machine,
  settings: {
    idleSizes: settings.idleSizes,
    idleWindowSeconds: settings.idleWindowMs / 1_000,
    fanOutSizes: settings.fanOutSizes,
    compareWaiters: settings.compareWaiters,
    compareWindowSeconds: settings.compareWindowMs / 1_000,
    listeners: settings.listeners,
    posters: settings.posters,
    throughputSeconds: settings.throughputMs / 1_000,
    clockFrames: settings.clockFrames,
    clockWindowSeconds: settings.clockWindowMs / 1_000,
    serverEnv: env,
  },
  skipped: [],
  errors: [],
};

console.log(
  `Comet Lessons bench (${mode}) against ${buildDir}/: ${machine.cpus} CPUs, Node ${machine.nodeVersion}, ` +
    `open-file limit ${machine.openFileLimit.bench?.soft ?? 'unknown'}, load average ${machine.loadAverage.atStart}`,
);
if (machine.loadAverage.atStart > machine.cpus * 0.75) {
  console.log('  Note: the machine is busy with other work; the figures will be noisier than on an idle machine.');
}

/** Runs one measurement; a failure is recorded and the run goes on with the next one. */
const attempt = async (title, measure) => {
  try {
    return await measure();
  } catch (error) {
    console.error(`  ✗ ${title} failed: ${error.stack ?? error}`);
    results.errors.push(`${title}: ${error.message}`);
    return undefined;
  }
};
const phaseOptions = (kind) => ({ settings, env, log, nodeArgs: kind.startsWith('site') ? siteNodeArgs : [] });
const selected = (phase, title) => phases.includes(phase) && (console.log(`▶ ${title}`), true);

if (selected('idle', 'Idle capacity')) {
  results.idle = [];
  for (const waiters of settings.idleSizes) {
    if (waiters + FILE_HEADROOM > openFileLimit) {
      results.skipped.push(`idle capacity at ${waiters} waiters: the open-file limit (${openFileLimit}) is below ${waiters + FILE_HEADROOM}`);
      continue;
    }
    for (const kind of ['site', 'reference']) {
      const row = await attempt(`idle capacity (${kind}, ${waiters} waiters)`, () =>
        measureIdleCapacity({ kind, waiters, lessonPath: kind === 'site' ? lessonPath : undefined, ...phaseOptions(kind) }),
      );
      if (row) results.idle.push(row);
    }
  }
}

if (selected('fan-out', 'Fan-out')) {
  results.fanOut = [];
  const sizes = settings.fanOutSizes.filter((size) => size + FILE_HEADROOM <= openFileLimit);
  for (const size of settings.fanOutSizes.filter((size) => !sizes.includes(size))) {
    results.skipped.push(`fan-out to ${size} clients: the open-file limit (${openFileLimit}) is too low`);
  }
  for (const kind of ['site', 'reference']) {
    const rows = await attempt(`fan-out (${kind})`, () => measureFanOut({ kind, sizes, ...phaseOptions(kind) }));
    for (const row of rows ?? []) results.fanOut.push({ target: kind, ...row });
  }
}

if (selected('naive', 'Naive loop vs event-driven')) {
  results.naiveVsEvent = await attempt('naive vs event-driven', () =>
    measureNaiveVsEvent({ waiters: settings.compareWaiters, ...phaseOptions('site') }),
  );
}

if (selected('throughput', 'Throughput')) {
  results.throughput = [];
  for (const kind of ['site', 'reference']) {
    const row = await attempt(`throughput (${kind})`, () =>
      measureThroughput({ kind, listeners: settings.listeners, posters: settings.posters, ...phaseOptions(kind) }),
    );
    if (row) results.throughput.push(row);
  }
}

if (selected('clock', 'Clock')) {
  results.clock = await attempt('clock', () => measureClock({ frames: settings.clockFrames, ...phaseOptions('site') }));
}

if (selected('transports', 'Transports: long poll, event stream, WebSocket')) {
  results.transports = [];
  for (const transport of TRANSPORTS) {
    const { transportClients: clients, transportMessages: messages, transportSpacingMs: spacingMs } = settings;
    const row = await attempt(`transports (${transport})`, () =>
      measureTransport({ transport, clients, messages, spacingMs, ...phaseOptions('site') }),
    );
    if (row) results.transports.push(row);
  }
}

if (selected('one-process', 'One process: site, bare node:http and Socket.IO 4.8 (polling)')) {
  const { heldPolls } = settings.oneProcess;
  if (heldPolls + FILE_HEADROOM > openFileLimit) {
    results.skipped.push(`one process at ${heldPolls} held polls: the open-file limit (${openFileLimit}) is below ${heldPolls + FILE_HEADROOM}`);
  } else {
    const rows = [];
    const loadAverageAtStart = loadAverageNow();
    for (const kind of ONE_PROCESS_SERVERS) {
      const row = await attempt(`one process (${kind})`, () => measureOneProcess({ kind, ...settings.oneProcess, ...phaseOptions(kind) }));
      if (row) rows.push(row);
    }
    results.oneProcess = { loadAverageAtStart, loadAverageAtEnd: loadAverageNow(), settings: settings.oneProcess, rows };
  }
}

if (selected('scale-out', 'Scale-out on Redis')) {
  const { waiters } = settings.scaleOut;
  if (waiters + FILE_HEADROOM > openFileLimit) {
    results.skipped.push(`scale-out at ${waiters} waiters: the open-file limit (${openFileLimit}) is below ${waiters + FILE_HEADROOM}`);
  } else {
    results.scaleOut = await attempt('scale-out', () => measureScaleOut({ ...settings.scaleOut, log }));
  }
}

results.machine.openFileLimit.server = observed.openFileLimit ?? null;
results.machine.loadAverage.atEnd = loadAverageNow();
results.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1_000);
results.targets = evaluateTargets(results);
for (const key of ['idle', 'fanOut', 'naiveVsEvent', 'throughput', 'clock', 'transports', 'oneProcess', 'scaleOut']) if (results[key] === undefined) delete results[key];

const outDir = path.resolve(options.out ?? path.join(root, 'bench/results'));
mkdirSync(outDir, { recursive: true });
// A run of the transports (or the one-process or scale-out part) alone gets its own file, so that
// it never stands in for a full run.
const only = phases.length === 1 && ['transports', 'one-process', 'scale-out'].includes(phases[0]) ? `${phases[0]}-` : '';
const name = `${mode === 'quick' ? 'quick-' : ''}${only}${startedAt.toISOString().slice(0, 10)}`;
writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
const transportsSection = results.transports?.length ? `\n${renderTransportsMarkdown(results.transports)}\n` : '';
writeFileSync(path.join(outDir, `${name}.md`), renderMarkdown(results) + transportsSection);
// The scale-out lesson draws its charts from the latest full one-process and scale-out runs.
const lessonRun = (part) => ({
  startedAt: results.startedAt,
  command: results.command.replace(/ --out \S+/, ''), // where it was written is of no interest
  machine: results.machine,
  ...part,
});
if (results.oneProcess?.rows.length === ONE_PROCESS_SERVERS.length && mode === 'full') {
  writeFileSync(path.join(outDir, 'one-process.json'), `${JSON.stringify(lessonRun(results.oneProcess), null, 2)}\n`);
}
if (results.scaleOut && mode === 'full') {
  writeFileSync(path.join(outDir, 'scale-out.json'), `${JSON.stringify(lessonRun(results.scaleOut), null, 2)}\n`);
}

console.log(`\nTargets:`);
for (const target of results.targets) {
  const verdict = target.met === null ? 'not measured' : target.met ? 'met' : 'MISSED';
  console.log(`  ${verdict.padEnd(12)} ${target.goal}: ${target.measured ?? '–'} ${target.measured === null ? '' : target.unit}`);
}
console.log(`\nWrote ${path.relative(process.cwd(), path.join(outDir, `${name}.json`))} and ${name}.md in ${results.durationSeconds} s.`);
if (cpuProfileDir) console.log(`CPU profiles of the site server: ${cpuProfileDir}`);
if (results.errors.length) {
  console.error(`${results.errors.length} measurement(s) failed:\n  ${results.errors.join('\n  ')}`);
  process.exit(1);
}
process.exit(0);

/** A real lesson page of the build, e.g. /lessons/forever-frame/. */
function firstLessonPath() {
  const lessons = path.join(root, buildDir, 'client/lessons');
  const [first] = existsSync(lessons) ? readdirSync(lessons).sort() : [];
  return first ? `/lessons/${first}/` : undefined;
}
