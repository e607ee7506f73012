import { fileTimeInSeconds, type NaiveFileSystem } from './naive-file-system.ts';

/** The article's pause between two looks at the file. */
export const CHECK_INTERVAL_MS = 10;
/** The original waited forever; the port gives up after this and answers "nothing new". */
export const WAIT_CAP_MS = 30_000;

export type WaitOutcome = 'changed' | 'timeout' | 'aborted';

export interface WaitResult {
  outcome: WaitOutcome;
  /** The file's time in whole seconds when it changed; the client's own timestamp otherwise. */
  timestamp: number;
}

export interface WaitOptions {
  fs: NaiveFileSystem;
  file: string;
  /** The client's timestamp: answer once the file's whole-second time is greater. */
  since: number;
  /** The request's signal: the adapter aborts it when the client goes away. */
  signal?: AbortSignal;
  capMs?: number;
  checkIntervalMs?: number;
  /** Called after every look at the file, for the stat-calls-per-second figure. */
  onStat?: () => void;
}

/**
 * The article's wait loop, ported as it was: look at the file's time, and if it is not
 * newer than the client's, sleep 10 ms and look again. The sleep is a timer, so the event
 * loop serves everyone else in between, but every waiter still costs ~100 looks a second.
 */
export function waitForNewerFile({
  fs,
  file,
  since,
  signal,
  capMs = WAIT_CAP_MS,
  checkIntervalMs = CHECK_INTERVAL_MS,
  onStat,
}: WaitOptions): Promise<WaitResult> {
  return new Promise((resolve) => {
    let checkTimer: ReturnType<typeof setTimeout> | undefined;
    let capTimer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;

    // #region settle
    // Settles once: a change, the cap or the client leaving, whichever comes first;
    // the others then find nothing left to do.
    const settle = (outcome: WaitOutcome, timestamp = since) => {
      if (settled) return;
      settled = true;
      clearTimeout(checkTimer);
      clearTimeout(capTimer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ outcome, timestamp });
    };
    const onAbort = () => settle('aborted');
    // #endregion settle

    // #region busy-loop
    const check = async () => {
      const current = await fileTimeInSeconds(fs, file); // a fresh stat: nothing is cached
      onStat?.();
      if (settled) return;
      if (current > since) settle('changed', current); // whole seconds, like filemtime
      else checkTimer = setTimeout(check, checkIntervalMs); // "sleep 10 ms", then look again
    };
    // #endregion busy-loop

    if (signal?.aborted) {
      settle('aborted');
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    capTimer = setTimeout(() => settle('timeout'), capMs);
    void check();
  });
}
