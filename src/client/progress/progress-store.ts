/**
 * A learner's progress, kept in the browser only (`localStorage`, no account): which lessons
 * were read to the end, which exercises were done, which quiz questions were answered.
 *
 * Any part of the site records progress with `markDone(kind, id)` and reads it with
 * `isDone`/`doneIds`. Every change (here or in another tab of the same site) is announced as a
 * `PROGRESS_EVENT` on `window`, whose `detail` is the whole new `ProgressRecord`, so menus and
 * maps can update without polling.
 *
 * Stored under `PROGRESS_STORAGE_KEY` as JSON: `{"version":1,"done":{"lesson":{"long-poll-chat":
 * 1767225600000}, …}}` (values are epoch milliseconds of the first time it was done). Storage
 * that is blocked, full or holds something unreadable is treated as empty: progress is a
 * convenience, never a reason for a page to fail.
 */

/** What can be done: a lesson read to its end, an exercise, a quiz question. */
export type ProgressKind = 'lesson' | 'exercise' | 'quiz';

/** The stored shape. `done[kind][id]` = epoch ms of the first completion. */
export interface ProgressRecord {
  version: 1;
  done: Partial<Record<ProgressKind, Record<string, number>>>;
}

export const PROGRESS_STORAGE_KEY = 'comet-lessons.progress';
/** Dispatched on `window` after every change, with the new `ProgressRecord` as `detail`. */
export const PROGRESS_EVENT = 'comet-lessons:progress';

/** The parts of `window` the store uses; tests pass their own. */
export interface ProgressHost {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  events: EventTarget;
}

const emptyRecord = (): ProgressRecord => ({ version: 1, done: {} });

/** A store over `host` (the page's `localStorage` and `window` by default). */
export function createProgressStore(host: ProgressHost) {
  const read = (): ProgressRecord => {
    try {
      const parsed: unknown = JSON.parse(host.storage?.getItem(PROGRESS_STORAGE_KEY) ?? 'null');
      if (parsed && typeof parsed === 'object' && (parsed as ProgressRecord).version === 1 && typeof (parsed as ProgressRecord).done === 'object') {
        return parsed as ProgressRecord;
      }
    } catch {
      // unreadable or blocked storage counts as no progress
    }
    return emptyRecord();
  };
  const announce = (record: ProgressRecord) => host.events.dispatchEvent(new CustomEvent(PROGRESS_EVENT, { detail: record }));
  const write = (record: ProgressRecord) => {
    try {
      host.storage?.setItem(PROGRESS_STORAGE_KEY, JSON.stringify(record));
    } catch {
      // full or blocked: the change still shows on this page until it is reloaded
    }
    announce(record);
  };

  return {
    read,
    /** Records `id` of `kind` as done (keeps the first time); announces the change. */
    markDone(kind: ProgressKind, id: string, nowMs = Date.now()): void {
      const record = read();
      const ofKind = (record.done[kind] ??= {});
      if (ofKind[id] !== undefined) return;
      ofKind[id] = nowMs;
      write(record);
    },
    isDone(kind: ProgressKind, id: string): boolean {
      return read().done[kind]?.[id] !== undefined;
    },
    doneIds(kind: ProgressKind): string[] {
      return Object.keys(read().done[kind] ?? {});
    },
    /** Forgets everything (lessons, exercises, quiz answers); announces the change. */
    reset(): void {
      try {
        host.storage?.removeItem(PROGRESS_STORAGE_KEY);
      } catch {
        // blocked storage: nothing was kept anyway
      }
      announce(emptyRecord());
    },
    /** Calls `listener` with the new record after every change, also those made in other tabs. Returns an unsubscribe function. */
    onChange(listener: (record: ProgressRecord) => void): () => void {
      const local = (event: Event) => listener((event as CustomEvent<ProgressRecord>).detail);
      const otherTab = (event: Event) => {
        if ((event as StorageEvent).key === PROGRESS_STORAGE_KEY || (event as StorageEvent).key === null) listener(read());
      };
      host.events.addEventListener(PROGRESS_EVENT, local);
      host.events.addEventListener('storage', otherTab);
      return () => {
        host.events.removeEventListener(PROGRESS_EVENT, local);
        host.events.removeEventListener('storage', otherTab);
      };
    },
  };
}

export type ProgressStore = ReturnType<typeof createProgressStore>;

function pageStorage(): ProgressHost['storage'] {
  try {
    return window.localStorage;
  } catch {
    return null; // access itself can throw when storage is disabled
  }
}

let pageStore: ProgressStore | undefined;
/** The store of this page (its `localStorage` and `window`), made on first use. */
export function progressStore(): ProgressStore {
  return (pageStore ??= createProgressStore({ storage: pageStorage(), events: window }));
}

/** Shorthand for `progressStore().markDone(kind, id)`. */
export const markDone = (kind: ProgressKind, id: string): void => progressStore().markDone(kind, id);
