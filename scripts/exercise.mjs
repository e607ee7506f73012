// `npm run exercise`                      every exercise with its status
// `npm run exercise -- <name>`            set up your file (first time), check it; in a terminal, re-check on every save
// `npm run exercise -- <name> --hint`     the next hint
// `npm run exercise -- <name> --solution` the lesson's code, once you have passed (`--force`: give up and see it now)
// `npm run exercise -- <name> --reset`    put the starter back (asks first; `--yes` to skip the question)
// `npm run exercise -- <name> --serve`    the whole site, running your code in place of the lesson's
import { watch } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { findExercise, learnerPath, listExercises } from '../exercises/tooling/catalog.ts';
import { readProgress } from '../exercises/tooling/progress.ts';
import { checkLearner, describeFile, nextHint, resetExercise, revealSolution, setUp, statusFor } from '../exercises/tooling/learner-loop.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    hint: { type: 'boolean' },
    solution: { type: 'boolean' },
    force: { type: 'boolean' },
    reset: { type: 'boolean' },
    yes: { type: 'boolean' },
    serve: { type: 'boolean' },
    once: { type: 'boolean' },
  },
});

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);
const green = (text) => (process.stdout.isTTY ? `\x1b[32m${text}\x1b[39m` : text);
const red = (text) => (process.stdout.isTTY ? `\x1b[31m${text}\x1b[39m` : text);

if (positionals.length === 0) {
  listAll();
  process.exit(0);
}
const exercise = findExercise(positionals[0]);
if (!exercise) {
  console.error(`No exercise "${positionals[0]}". Expected one of: ${listExercises().map((e) => e.name.replace(/^\d+-/, '')).join(', ')}`);
  process.exit(2);
}
const short = exercise.name.replace(/^\d+-/, '');
const command = (flag = '') => `npm run exercise -- ${short}${flag ? ` ${flag}` : ''}`;

if (values.hint) {
  const hint = nextHint(exercise);
  console.log(`${bold(`Hint ${hint.number} of ${hint.of}`)} for ${exercise.title}:\n\n  ${hint.text}\n`);
  if (hint.number === hint.of) console.log(`That was the last hint. ${command('--solution --force')} shows the lesson's code (and gives up the exercise).`);
} else if (values.solution) {
  const answer = revealSolution(exercise, { force: values.force });
  if (!answer.shown) {
    console.log(answer.reason);
    process.exit(1);
  }
  if (answer.gaveUp) console.log(red(`You give up "${short}": it is recorded as given up, not passed (passing later still counts).`) + '\n');
  console.log(answer.text);
} else if (values.reset) {
  const file = describeFile(exercise);
  if (!values.yes) {
    if (!process.stdin.isTTY) {
      console.error(`Resetting replaces ${file} with the starter. Add --yes to confirm without a terminal.`);
      process.exit(2);
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Replace ${file} with the starter? Your code in it is lost. [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      console.log('Nothing changed.');
      process.exit(0);
    }
  }
  resetExercise(exercise);
  console.log(`${file} is the starter again.`);
} else if (values.serve) {
  const { serveLearnerCode } = await import('./exercise-serve.mjs');
  if (setUp(exercise)) console.log(`Created ${describeFile(exercise)} from the starter.`);
  await serveLearnerCode(exercise);
} else {
  if (setUp(exercise)) console.log(`Created ${bold(describeFile(exercise))} from the starter: write your code there.\n`);
  const interactive = process.stdout.isTTY && process.stdin.isTTY && !values.once;
  const passed = await checkOnce();
  if (!interactive) process.exit(passed ? 0 : 1);
  watchAndRecheck();
}

async function checkOnce() {
  console.log(`${bold(exercise.title)} · ${describeFile(exercise)}\n${exercise.asks}\n`);
  const outcome = await checkLearner(exercise);
  const total = outcome.results.length;
  const passing = outcome.results.filter((result) => result.passed).length;
  if (outcome.passed) {
    console.log(green(`✓ All ${total} checks pass.`) + (outcome.newlyPassed ? ' Exercise passed and recorded.' : ''));
    console.log(`Compare with the lesson's code: ${command('--solution')}`);
    return true;
  }
  console.log(`${passing} of ${total} checks pass. Next:\n`);
  console.log(`  ${red('✗')} ${bold(outcome.firstFailure?.title ?? 'Make the checks run')}`);
  if (outcome.firstFailure?.message) console.log(`\n${outcome.firstFailure.message.replace(/^/gm, '    ')}`);
  console.log(`\nStuck? ${command('--hint')}`);
  return false;
}

function watchAndRecheck() {
  const file = learnerPath(exercise);
  let timer;
  let running = Promise.resolve();
  console.log(`\nWatching ${describeFile(exercise)}: save it to check again (Ctrl-C to stop).`);
  // Editors often save by writing a new file and renaming it: watch the folder, filter by name.
  watch(path.dirname(file), (_event, name) => {
    if (name !== path.basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        console.clear();
        await checkOnce();
        console.log(`\nWatching ${describeFile(exercise)}: save it to check again (Ctrl-C to stop).`);
      });
    }, 150);
  });
}

function listAll() {
  const progress = readProgress();
  const rows = listExercises().map((e) => [e.name.replace(/^\d+-/, ''), e.lesson, `${statusFor(e)}${progress[e.name]?.gaveUp ? ' (gave up)' : ''}`, e.title]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length), 8));
  console.log(`${'exercise'.padEnd(widths[0])}  ${'lesson'.padEnd(widths[1])}  ${'status'.padEnd(widths[2])}  what you write`);
  for (const row of rows) console.log(`${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2].padEnd(widths[2])}  ${row[3]}`);
  console.log('\nStart one: npm run exercise -- <exercise>');
}
