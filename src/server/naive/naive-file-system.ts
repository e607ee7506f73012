import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';

/**
 * The only file-system calls the naive backend makes, behind an interface so unit tests
 * can drive modification times by hand instead of waiting for real seconds to pass.
 */
export interface NaiveFileSystem {
  mkdir(dir: string): Promise<void>;
  /** Creates the file empty unless it already exists. */
  createIfMissing(file: string): Promise<void>;
  readFile(file: string): Promise<string>;
  /** Writes a new file; when the write fails (a full disk) the partial file is removed, not left behind. */
  writeFile(file: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** The file's modification time in ms since the epoch. */
  mtimeMs(file: string): Promise<number>;
}

export const nodeFileSystem: NaiveFileSystem = {
  async mkdir(dir) {
    await mkdir(dir, { recursive: true });
  },
  async createIfMissing(file) {
    try {
      await writeFile(file, '', { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  },
  readFile: (file) => readFile(file, 'utf8'),
  async writeFile(file, text) {
    try {
      await writeFile(file, text);
    } catch (error) {
      // Best effort: the write's own error is what the caller must hear about.
      await rm(file, { force: true }).catch(() => {});
      throw error;
    }
  },
  rename: (from, to) => rename(from, to),
  mtimeMs: async (file) => (await stat(file)).mtimeMs,
};

// #region file-time
/** Like PHP's `filemtime`: the modification time in whole seconds, 0 when the file cannot be read. */
export async function fileTimeInSeconds(fs: NaiveFileSystem, file: string): Promise<number> {
  try {
    return Math.floor((await fs.mtimeMs(file)) / 1_000);
  } catch {
    return 0;
  }
}
// #endregion file-time
