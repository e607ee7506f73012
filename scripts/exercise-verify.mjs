// `npm run exercise:verify`: every exercise's reference (the lesson's own source file, or the
// exercise's solution) must pass all its checks, and its untouched starter must fail at least
// its first check. Prints a table; exits non-zero if either is not so.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exerciseDir, listExercises, referencePath, shown, testPath } from '../exercises/tooling/catalog.ts';
import { starterSource } from '../exercises/tooling/learner-file.ts';
import { runChecks } from '../exercises/tooling/run-checks.ts';

const rows = [];
let ok = true;
for (const exercise of listExercises()) {
  const reference = await runChecks(testPath(exercise), referencePath(exercise));
  // The starter is generated next to the checks, as the learner's file is, so its imports resolve.
  const starterFile = path.join(exerciseDir(exercise), '.starter-verify.ts');
  writeFileSync(starterFile, starterSource(exercise));
  let starter;
  try {
    starter = await runChecks(testPath(exercise), starterFile);
  } finally {
    rmSync(starterFile, { force: true });
  }
  const referencePasses = reference.passed;
  const starterFailsFirst = Boolean(starter.loadError) || starter.results[0]?.passed === false;
  if (!referencePasses || !starterFailsFirst) ok = false;
  rows.push({
    exercise: exercise.name,
    checks: String(reference.results.length),
    reference: referencePasses ? 'passes' : `FAILS: ${reference.loadError ?? reference.results.find((r) => !r.passed)?.title}`,
    starter: starterFailsFirst ? `fails (${starter.results.filter((r) => !r.passed).length} of ${starter.results.length})` : 'PASSES ITS FIRST CHECK',
    'reference file': shown(referencePath(exercise)),
  });
}

const columns = Object.keys(rows[0] ?? { exercise: '' });
const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => row[column].length)));
const line = (cells) => cells.map((cell, index) => cell.padEnd(widths[index])).join('  ');
console.log(line(columns));
for (const row of rows) console.log(line(columns.map((column) => row[column])));
const passed = rows.filter((row) => row.reference === 'passes' && row.starter.startsWith('fails')).length;
console.log(`\nexercises: ${passed} passed, ${rows.length - passed} failed`);
process.exit(ok ? 0 : 1);
