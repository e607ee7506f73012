import { existsSync, writeFileSync } from 'node:fs';
import { learnerPath, shown, testPath, type Exercise } from './catalog.ts';
import { solutionText, starterSource } from './learner-file.ts';
import { readProgress, started, statusOf, updateProgress, PROGRESS_FILE, type ExerciseStatus } from './progress.ts';
import { runChecks, type CheckRun } from './run-checks.ts';

/**
 * The learner's loop, without the terminal: set up the learner's file, check it, hand out
 * hints and the solution, reset. `scripts/exercise.mjs` is the command line around it.
 * Every function takes where the learner's file and the progress live, so a test can play
 * a learner in a temporary folder.
 */
export interface LoopPlaces {
  learnerFile?: string;
  progressFile?: string;
}

const placesOf = (exercise: Exercise, places: LoopPlaces = {}) => ({
  learnerFile: places.learnerFile ?? learnerPath(exercise),
  progressFile: places.progressFile ?? PROGRESS_FILE,
});

/** Writes the starter the first time (never over the learner's work); true when it did. */
export function setUp(exercise: Exercise, places?: LoopPlaces): boolean {
  const { learnerFile, progressFile } = placesOf(exercise, places);
  updateProgress(exercise.name, (entry) => entry ?? started(), progressFile);
  if (existsSync(learnerFile)) return false;
  writeFileSync(learnerFile, starterSource(exercise));
  return true;
}

export interface CheckOutcome extends CheckRun {
  /** The first failing check, as the instruction to follow next. */
  firstFailure?: { title: string; message?: string };
  /** True the first time this learner passes the exercise. */
  newlyPassed: boolean;
}

/** Runs the exercise's checks on the learner's file and records a pass. */
export async function checkLearner(exercise: Exercise, places?: LoopPlaces): Promise<CheckOutcome> {
  const { learnerFile, progressFile } = placesOf(exercise, places);
  const run = await runChecks(testPath(exercise), learnerFile);
  const failing = run.results.find((result) => !result.passed);
  let newlyPassed = false;
  if (run.passed) {
    updateProgress(
      exercise.name,
      (entry) => {
        const current = entry ?? started();
        if (current.status === 'passed') return current;
        newlyPassed = true;
        return { ...current, status: 'passed', passedAt: new Date().toISOString() };
      },
      progressFile,
    );
  }
  return {
    ...run,
    firstFailure: run.loadError ? { title: 'Make your file load', message: run.loadError } : failing && { title: failing.title, message: failing.message },
    newlyPassed,
  };
}

/** The next hint (1-based `number`), or the last one again once all have been shown. */
export function nextHint(exercise: Exercise, places?: LoopPlaces): { number: number; of: number; text: string } {
  const { progressFile } = placesOf(exercise, places);
  const entry = updateProgress(
    exercise.name,
    (current) => {
      const base = current ?? started();
      return { ...base, hintsShown: Math.min(base.hintsShown + 1, exercise.hints.length) };
    },
    progressFile,
  )!;
  return { number: entry.hintsShown, of: exercise.hints.length, text: exercise.hints[entry.hintsShown - 1]! };
}

export type SolutionAnswer = { shown: true; text: string; gaveUp: boolean } | { shown: false; reason: string };

/** The reference solution: once passed, or with `force` (which records that the learner gave up). */
export function revealSolution(exercise: Exercise, { force = false } = {}, places?: LoopPlaces): SolutionAnswer {
  const { progressFile } = placesOf(exercise, places);
  const status = statusOf(exercise.name, readProgress(progressFile));
  if (status === 'passed') return { shown: true, text: solutionText(exercise), gaveUp: false };
  if (!force) {
    return {
      shown: false,
      reason: `The solution opens once "${exercise.name.replace(/^\d+-/, '')}" passes. Try a hint first; "--solution --force" shows it now and counts the exercise as given up.`,
    };
  }
  updateProgress(exercise.name, (entry) => ({ ...(entry ?? started()), gaveUp: true }), progressFile);
  return { shown: true, text: solutionText(exercise), gaveUp: true };
}

/** Puts the starter back over the learner's file; the exercise is in progress again. */
export function resetExercise(exercise: Exercise, places?: LoopPlaces): void {
  const { learnerFile, progressFile } = placesOf(exercise, places);
  writeFileSync(learnerFile, starterSource(exercise));
  updateProgress(exercise.name, () => started(), progressFile);
}

export function statusFor(exercise: Exercise, places?: LoopPlaces): ExerciseStatus {
  return statusOf(exercise.name, readProgress(placesOf(exercise, places).progressFile));
}

export const describeFile = (exercise: Exercise, places?: LoopPlaces) => shown(placesOf(exercise, places).learnerFile);
