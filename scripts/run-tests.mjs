// `npm test`: type check, build, Vitest (unit + HTTP), Playwright (Chromium), benchmark smoke run, exercises,
// then one line summed over every runner: `tests: N passed, N failed`.
// `npm run test:lesson -- <name> [<name> …]`: the same, limited to test files whose path contains a name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { provisionChromium } from './find-chromium.mjs';
import { provisionRedisServer } from './find-redis.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const lessonIndex = args.indexOf('--lesson');
const filters = lessonIndex === -1 ? [] : args.slice(lessonIndex + 1);
if (lessonIndex !== -1 && (filters.length === 0 || !filters.every((name) => /^[a-z0-9-]+$/.test(name)))) {
  console.error('Usage: npm run test:lesson -- <name> [<name> …]   (e.g. npm run test:lesson -- clock)');
  process.exit(2);
}
const filter = filters.length ? filters.join(' ') : undefined;

const env = {
  ...process.env,
  // Every child runs under the Node that npm install put in node_modules.
  PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
  ASTRO_TELEMETRY_DISABLED: '1',
};
const reportDir = mkdtempSync(path.join(tmpdir(), 'comet-lessons-reports-'));
const totals = { passed: 0, failed: 0 };
const lines = [];

function run(title, command, commandArgs, extraEnv = {}) {
  console.log(`\n▶ ${title}: ${[command, ...commandArgs].join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' });
  if (result.error) console.error(result.error.message);
  return result.status === 0;
}

function record(runner, passed, failed) {
  totals.passed += passed;
  totals.failed += failed;
  lines.push(`  ${runner.padEnd(12)} ${passed} passed, ${failed} failed`);
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

const node = process.execPath;
const bin = (relative) => path.join(root, 'node_modules', relative);

// 1. Types (whole project only: it checks every file at once).
if (!filter) {
  const ok = run('type check', node, [bin('astro/bin/astro.mjs'), 'check']);
  record('type check', ok ? 1 : 0, ok ? 0 : 1);
}

// 1b. Redis: the scale-out tests start their own redis-server; install Debian's when root.
try {
  provisionRedisServer();
} catch (error) {
  console.error(`\n${error.message}`);
}

// 2. Build: the HTTP and browser tests run against the built server.
const built = run('build', node, [bin('astro/bin/astro.mjs'), 'build']);
if (!built) {
  record('build', 0, 1);
} else {
  // 3. Vitest: unit and HTTP projects.
  const vitestReport = path.join(reportDir, 'vitest.json');
  const vitestOk = run('vitest', node, [
    bin('vitest/vitest.mjs'),
    'run',
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${vitestReport}`,
    ...filters,
  ]);
  const vitest = readJson(vitestReport);
  // A file that fails before any of its tests run (an import error, a failing hook) counts once.
  const brokenFiles = (vitest?.testResults ?? []).filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  // A run can fail with every test passing (an unhandled rejection, a leaked error): count it.
  const vitestFailed = vitest ? vitest.numFailedTests + brokenFiles : 0;
  record('vitest', vitest?.numPassedTests ?? 0, vitestFailed || (vitestOk ? 0 : 1));

  // 4. Playwright in Chromium.
  let chromium;
  try {
    chromium = provisionChromium();
  } catch (error) {
    console.error(`\n${error.message}`);
    record('playwright', 0, 1);
  }
  if (chromium) {
    const playwrightReport = path.join(reportDir, 'playwright.json');
    const playwrightOk = run(
      'playwright',
      node,
      [bin('@playwright/test/cli.js'), 'test', '--pass-with-no-tests', '--reporter=list,json', ...filters],
      { CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport },
    );
    const playwright = readJson(playwrightReport);
    if (playwright) {
      const { expected = 0, unexpected = 0, flaky = 0 } = playwright.stats ?? {};
      const setupFailed = playwright.errors?.length ? 1 : 0;
      const failed = unexpected + setupFailed;
      record('playwright', expected + flaky, failed || (playwrightOk ? 0 : 1));
    } else {
      record('playwright', 0, 1);
    }
  }
}

// 5. Exercises: every reference solution passes its checks, every untouched starter fails them.
if (!filter || filters.some((name) => name.startsWith('exercise'))) {
  console.log('\n▶ exercises: npm run exercise:verify');
  const verify = spawnSync(node, ['scripts/exercise-verify.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(verify.stdout ?? '');
  const [, passed = '0', failed = '1'] = /exercises: (\d+) passed, (\d+) failed/.exec(verify.stdout ?? '') ?? [];
  record('exercises', Number(passed), Number(failed) || (verify.status === 0 ? 0 : 1));
}

rmSync(reportDir, { recursive: true, force: true });
console.log(`\nSummary${filter ? ` for "${filter}"` : ''}:\n${lines.join('\n')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
