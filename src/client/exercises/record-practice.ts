/**
 * Where practice (questions answered, exercises passed) is recorded in the browser, until the
 * course's reading progress takes it over: one localStorage entry, and an event on `document`
 * that a progress display can listen to.
 *
 * - Event: `comet:progress`, a CustomEvent whose `detail` is {@link PracticeRecord}.
 * - Storage key {@link PRACTICE_STORAGE_KEY}: JSON `{ "quiz": { "<lesson>/<n>": "<ISO time>" }, "exercise": { "<name>": "<ISO time>" } }`.
 */
export const PROGRESS_EVENT = 'comet:progress';
export const PRACTICE_STORAGE_KEY = 'comet-lessons:practice';

export interface PracticeRecord {
  /** A question answered correctly, or an exercise passed. */
  kind: 'quiz' | 'exercise';
  /** `<lesson slug>/<question number from 1>` for a question; the exercise's folder name for an exercise. */
  id: string;
}

type PracticeLog = Record<PracticeRecord['kind'], Record<string, string>>;

export function readPractice(storage: Storage | undefined = globalThis.localStorage): PracticeLog {
  try {
    const stored = JSON.parse(storage?.getItem(PRACTICE_STORAGE_KEY) ?? '{}') as Partial<PracticeLog>;
    return { quiz: stored.quiz ?? {}, exercise: stored.exercise ?? {} };
  } catch {
    return { quiz: {}, exercise: {} };
  }
}

/** Records one item (the first time only keeps its time) and announces it with `comet:progress`. */
export function recordPractice(record: PracticeRecord, storage: Storage | undefined = globalThis.localStorage): void {
  const log = readPractice(storage);
  log[record.kind][record.id] ??= new Date().toISOString();
  try {
    storage?.setItem(PRACTICE_STORAGE_KEY, JSON.stringify(log));
  } catch {
    // Storage full or refused (private mode): the event below still tells the page.
  }
  document.dispatchEvent(new CustomEvent<PracticeRecord>(PROGRESS_EVENT, { detail: record }));
}
