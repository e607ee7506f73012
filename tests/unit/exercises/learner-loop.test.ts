// Plays a learner through one exercise, in a temporary folder: set up, a wrong answer (a
// failing check is named), the right one (passes, the solution unlocks, progress is
// recorded), a hint, then a reset.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExercise } from '../../../exercises/tooling/catalog.ts';
import { starterSource } from '../../../exercises/tooling/learner-file.ts';
import { checkLearner, nextHint, resetExercise, revealSolution, setUp, statusFor } from '../../../exercises/tooling/learner-loop.ts';
import { readProgress } from '../../../exercises/tooling/progress.ts';

const exercise = findExercise('retry-backoff')!;
const dir = mkdtempSync(path.join(tmpdir(), 'comet-learner-'));
const places = { learnerFile: path.join(dir, 'your-code.ts'), progressFile: path.join(dir, 'progress.json') };
const solution = readFileSync(path.join(import.meta.dirname, '../../../exercises/05-retry-backoff/solution.ts'), 'utf8');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a learner doing the retry-backoff exercise', () => {
  it('gets the starter the first time, and keeps their own file after that', () => {
    expect(statusFor(exercise, places)).toBe('not started');
    expect(setUp(exercise, places)).toBe(true);
    expect(readFileSync(places.learnerFile, 'utf8')).toBe(starterSource(exercise));
    expect(statusFor(exercise, places)).toBe('in progress');
    writeFileSync(places.learnerFile, '// my work\n');
    expect(setUp(exercise, places), 'a second set-up never overwrites the learner').toBe(false);
    expect(readFileSync(places.learnerFile, 'utf8')).toBe('// my work\n');
  });

  it('is told which check fails first when the answer is wrong, and cannot see the solution', async () => {
    // A plausible mistake: the ceiling doubles but is never capped at maxMs.
    const wrong = solution.replace('Math.min(policy.maxMs, policy.initialMs * 2 ** failures)', 'policy.initialMs * 2 ** failures');
    expect(wrong).not.toBe(solution);
    writeFileSync(places.learnerFile, wrong);
    const outcome = await checkLearner(exercise, places);
    expect(outcome.passed).toBe(false);
    expect(outcome.firstFailure?.title).toBe('Double the ceiling with every failure, up to maxMs');
    expect(revealSolution(exercise, {}, places)).toMatchObject({ shown: false });
    expect(statusFor(exercise, places)).toBe('in progress');
  });

  it('is told that a file that does not load must load first', async () => {
    writeFileSync(places.learnerFile, 'export function nextDelayMs( {\n');
    const outcome = await checkLearner(exercise, places);
    expect(outcome.passed).toBe(false);
    expect(outcome.firstFailure?.title).toBe('Make your file load');
  });

  it('gets hints one after the other, the last one again at the end', () => {
    const seen = exercise.hints.map(() => nextHint(exercise, places).number);
    expect(seen).toEqual(exercise.hints.map((_, index) => index + 1));
    expect(nextHint(exercise, places)).toMatchObject({ number: exercise.hints.length, text: exercise.hints.at(-1) });
  });

  it('passes with the right answer: progress is recorded and the solution unlocks', async () => {
    writeFileSync(places.learnerFile, solution);
    const outcome = await checkLearner(exercise, places);
    expect(outcome.results.filter((result) => !result.passed)).toEqual([]);
    expect(outcome).toMatchObject({ passed: true, newlyPassed: true });
    expect(readProgress(places.progressFile)[exercise.name]).toMatchObject({ status: 'passed', passedAt: expect.any(String) });
    expect(revealSolution(exercise, {}, places)).toMatchObject({ shown: true, gaveUp: false, text: solution });
    expect((await checkLearner(exercise, places)).newlyPassed, 'a second pass is not new').toBe(false);
  });

  it('can reset to the starter, and is then in progress again', () => {
    resetExercise(exercise, places);
    expect(readFileSync(places.learnerFile, 'utf8')).toBe(starterSource(exercise));
    expect(statusFor(exercise, places)).toBe('in progress');
  });

  it('can give up and see the solution with force, which is recorded', () => {
    expect(revealSolution(exercise, { force: true }, places)).toMatchObject({ shown: true, gaveUp: true });
    expect(readProgress(places.progressFile)[exercise.name]).toMatchObject({ gaveUp: true, status: 'in progress' });
  });
});
