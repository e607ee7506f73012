import type { NaiveFileSystem } from '../../src/server/naive/naive-file-system.ts';

/**
 * An in-memory stand-in for the naive backend's files. A write stamps the file with
 * `Date.now()`, so a test with fake timers decides exactly which second each write lands in.
 */
export function createFakeNaiveFileSystem() {
  const files = new Map<string, { text: string; mtimeMs: number }>();
  const failures = new Map<keyof NaiveFileSystem, string>();
  let stats = 0;
  const healthy: NaiveFileSystem = {
    async mkdir() {},
    async createIfMissing(file) {
      if (!files.has(file)) files.set(file, { text: '', mtimeMs: Date.now() });
    },
    async readFile(file) {
      const entry = files.get(file);
      if (!entry) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return entry.text;
    },
    async writeFile(file, text) {
      files.set(file, { text, mtimeMs: Date.now() });
    },
    async rename(from, to) {
      const entry = files.get(from);
      if (!entry) throw Object.assign(new Error(`ENOENT: ${from}`), { code: 'ENOENT' });
      files.delete(from);
      files.set(to, entry);
    },
    async mtimeMs(file) {
      stats += 1;
      const entry = files.get(file);
      if (!entry) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return entry.mtimeMs;
    },
  };
  // Every call goes through here first, so a test can make any operation fail as a real disk would.
  const fs = Object.fromEntries(
    Object.entries(healthy).map(([name, operation]) => [
      name,
      async (...args: unknown[]) => {
        const code = failures.get(name as keyof NaiveFileSystem);
        if (code) throw Object.assign(new Error(`${code}: ${name} ${String(args[0])}`), { code });
        return (operation as (...values: unknown[]) => Promise<unknown>)(...args);
      },
    ]),
  ) as unknown as NaiveFileSystem;
  return {
    fs,
    /** Makes every call of `operation` fail with an errno `code` (e.g. 'ENOSPC'); `undefined` heals it. */
    fail(operation: keyof NaiveFileSystem, code: string | undefined) {
      if (code) failures.set(operation, code);
      else failures.delete(operation);
    },
    /** Sets a file's content and time directly, as another process might. */
    put(file: string, text: string, mtimeMs: number) {
      files.set(file, { text, mtimeMs });
    },
    get statCalls() {
      return stats;
    },
    fileNames: () => [...files.keys()],
  };
}
