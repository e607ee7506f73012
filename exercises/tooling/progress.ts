import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './catalog.ts';

/** The one local progress file (git-ignored); no account, no network. */
export const PROGRESS_FILE = process.env.COMET_EXERCISE_PROGRESS ?? path.join(PROJECT_ROOT, '.exercise-progress.json');

export type ExerciseStatus = 'not started' | 'in progress' | 'passed';

export interface ExerciseProgress {
  status: Exclude<ExerciseStatus, 'not started'>;
  /** How many hints the learner has seen (the next `--hint` shows hint number `hintsShown + 1`). */
  hintsShown: number;
  /** Set by `--solution --force`: the learner saw the answer before passing. */
  gaveUp?: boolean;
  /** ISO 8601 times. */
  startedAt: string;
  passedAt?: string;
}

export type Progress = Record<string, ExerciseProgress>;

export function readProgress(file = PROGRESS_FILE): Progress {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Progress;
  } catch {
    return {}; // a hand-edited, broken file starts over rather than stopping the learner
  }
}

/** Reads, changes and writes back one exercise's entry (atomically: a temp file, then a rename). */
export function updateProgress(
  name: string,
  change: (entry: ExerciseProgress | undefined) => ExerciseProgress | undefined,
  file = PROGRESS_FILE,
): ExerciseProgress | undefined {
  const progress = readProgress(file);
  const next = change(progress[name]);
  if (next) progress[name] = next;
  else delete progress[name];
  writeFileSync(`${file}.tmp`, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return next;
}

export function statusOf(name: string, progress: Progress = readProgress()): ExerciseStatus {
  return progress[name]?.status ?? 'not started';
}

export const started = (): ExerciseProgress => ({ status: 'in progress', hintsShown: 0, startedAt: new Date().toISOString() });
