import { pathToFileURL } from 'node:url';

/** The environment variable that tells an exercise's checks which module to load. */
export const MODULE_ENV = 'COMET_EXERCISE_MODULE';

/**
 * The module under test: the file named by {@link MODULE_ENV} (the learner's file, a starter,
 * the reference), or `fallback` (the reference) when the checks run on their own.
 */
export async function loadImplementation<T>(fallback: URL): Promise<T> {
  const file = process.env[MODULE_ENV];
  return (await import(file ? pathToFileURL(file).href : fallback.href)) as T;
}

/** Loads the reference itself, for checks that compare the learner's timeline with it. */
export async function loadReference<T>(reference: URL): Promise<T> {
  return (await import(reference.href)) as T;
}
