import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The project root: exercises/tooling/ is two levels below it. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const EXERCISES_DIR = path.join(PROJECT_ROOT, 'exercises');
/** The learner's own file inside an exercise folder (git-ignored). */
export const LEARNER_FILE = 'your-code.ts';

/**
 * One exercise, as described by `exercises/<name>/exercise.json`.
 *
 * Two kinds:
 * - `reference` names a real source file and the regions the learner writes. The learner's
 *   file is that source file with those regions replaced by the stubs in `stubs.txt`, so the
 *   reference solution is exactly the code the lesson shows (`<SourceCode file region>`),
 *   and the learner's file is a drop-in replacement for the real module (`--serve`).
 * - `solution` names a self-contained module in the exercise folder (with `starter.ts`),
 *   for code the lesson explains but whose real module is too entangled to hand out.
 */
export interface Exercise {
  /** The folder name, also the command-line name: `npm run exercise -- <name>`. */
  name: string;
  title: string;
  /** The lesson slug (its URL part) the exercise belongs to. */
  lesson: string;
  /** What the learner writes, one or two sentences. */
  asks: string;
  /** What passing looks like, one sentence. */
  passing: string;
  /** Hints from a nudge to nearly the answer. */
  hints: string[];
  reference?: { file: string; regions: string[] };
  solution?: string;
}

/** Every exercise, in lesson order then name (the folder prefix `NN-` sorts them). */
export function listExercises(): Exercise[] {
  return readdirSync(EXERCISES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(EXERCISES_DIR, entry.name, 'exercise.json')))
    .map((entry) => readExercise(entry.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function readExercise(name: string): Exercise {
  const file = path.join(EXERCISES_DIR, name, 'exercise.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as Omit<Exercise, 'name'>;
  if (!data.reference === !data.solution) {
    throw new Error(`exercises/${name}/exercise.json: expected exactly one of "reference" or "solution".`);
  }
  if (!Array.isArray(data.hints) || data.hints.length < 2) {
    throw new Error(`exercises/${name}/exercise.json: expected at least two hints; received ${data.hints?.length ?? 0}.`);
  }
  return { ...data, name };
}

/** Finds an exercise by its full name or by the part after its `NN-` prefix. */
export function findExercise(query: string): Exercise | undefined {
  return listExercises().find((exercise) => exercise.name === query || exercise.name.replace(/^\d+-/, '') === query);
}

export const exerciseDir = (exercise: Exercise) => path.join(EXERCISES_DIR, exercise.name);
export const learnerPath = (exercise: Exercise) => path.join(exerciseDir(exercise), LEARNER_FILE);
export const testPath = (exercise: Exercise) => path.join(exerciseDir(exercise), 'checks.test.ts');

/** The module that passes by definition: the real source file, or the exercise's solution. */
export function referencePath(exercise: Exercise): string {
  return exercise.reference
    ? path.join(PROJECT_ROOT, exercise.reference.file)
    : path.join(exerciseDir(exercise), exercise.solution!);
}

/** A path as the learner reads it: relative to the project root, with forward slashes. */
export const shown = (file: string) => path.relative(PROJECT_ROOT, file).split(path.sep).join('/');
