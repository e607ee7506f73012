import { statSync } from 'node:fs';

/**
 * What a word-for-word port of the article's loop would look like in Node: a `while` with a
 * synchronous sleep. It is correct for one visitor and freezes every other one, because
 * Node serves all requests from one thread. Never wired into the site: only a test runs
 * it, in a child process of its own, to show the stall.
 */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

// #region blocking-loop
export function waitForNewerFileBlocking(file: string, since: number, capMs: number): number {
  const giveUpAt = Date.now() + capMs;
  let current = Math.floor(statSync(file).mtimeMs / 1_000);
  while (current <= since && Date.now() < giveUpAt) {
    Atomics.wait(sleepCell, 0, 0, 10); // sleeps 10 ms, and so does every other request
    current = Math.floor(statSync(file).mtimeMs / 1_000);
  }
  return current;
}
// #endregion blocking-loop
