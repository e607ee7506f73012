import type { NaiveFileSystem } from '../../src/server/naive/naive-file-system.ts';

/**
 * An in-memory stand-in for the naive backend's files. A write stamps the file with
 * `Date.now()`, so a test with fake timers decides exactly which second each write lands in.
 */
export function createFakeNaiveFileSystem() {
  const files = new Map<string, { text: string; mtimeMs: number }>();
  let stats = 0;
  const fs: NaiveFileSystem = {
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
  return {
    fs,
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
