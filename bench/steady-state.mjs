// `npx node bench/steady-state.mjs [--waiters N] [--posters P] [--only idle|log]`: two bounded
// measurements that the main bench does not make, written to bench/results/steady-state/DATE.json
// (with --only, the other section of that day's file is kept).
//   1. Idle polls in steady state: CPU over a window longer than the poll timeout.
//   2. The chat log's group commit: fsync time and lines per batch under a flood of posts.
// Both run against the built site on 127.0.0.1 (free ports), like `npm run bench`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, loadAverageNow } from './lib/machine.mjs';
import { killAllServers } from './lib/server-process.mjs';
import { readConfig } from '../src/server/config.ts';
import { measureLogBatches } from './phases/log-batches.mjs';
import { measureSteadyIdle } from './phases/steady-idle.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  options: { waiters: { type: 'string', default: '10000' }, posters: { type: 'string', default: '20' }, only: { type: 'string' } },
});
if (!existsSync(path.join(root, 'dist/server/entry.mjs'))) {
  console.error('No build found in dist/: run "npm run build" first.');
  process.exit(1);
}
process.on('exit', killAllServers);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
setTimeout(() => {
  console.error('The measurements ran longer than 5 minutes: stopping.');
  process.exit(1);
}, 5 * 60_000).unref();

const waiters = Number(options.waiters);
const env = { RATE_LIMITS: 'off', MAX_WAITERS: String(waiters + 1_000) };
const log = (line) => console.log(`  ${line}`);
const machine = describeMachine();
const startedAt = new Date();
console.log(`Steady-state measurements: ${machine.cpus} CPUs, load average ${machine.loadAverage.atStart}`);

const outDir = path.join(root, 'bench/results/steady-state');
const file = path.join(outDir, `${startedAt.toISOString().slice(0, 10)}.json`);
const previous = options.only && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const run = (section) => !options.only || options.only === section;
/** Each section records the load it was measured under: the two may come from separate runs. */
const underLoad = async (measure) => {
  const atStart = loadAverageNow();
  const measured = await measure();
  return { ...measured, loadAverage: { atStart, atEnd: loadAverageNow() }, measuredAt: new Date().toISOString() };
};
const result = {
  ...previous,
  schema: 1,
  startedAt: startedAt.toISOString(),
  command: `npx node bench/steady-state.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  machine,
  // The site's default poll timeout (POLL_TIMEOUT_MS), so the figures are those of the site as served.
  steadyIdle: !run('idle') ? previous.steadyIdle : await underLoad(() => measureSteadyIdle({
    waiters,
    pollTimeoutMs: readConfig({}).pollTimeoutMs,
    shortWindowMs: 5_000,
    longWindowMs: 60_000,
    rampTimeoutMs: 60_000,
    env,
    log,
  })),
  logBatches: !run('log')
    ? previous.logBatches
    : await underLoad(() => measureLogBatches({ posters: Number(options.posters), seconds: 10, env, log })),
};
result.machine.loadAverage.atEnd = loadAverageNow();
result.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1_000);
mkdirSync(outDir, { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${path.relative(process.cwd(), file)} in ${result.durationSeconds} s.`);
process.exit(0);
