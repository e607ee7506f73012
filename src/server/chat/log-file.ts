import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * The chat's durable memory: an append-only file of JSON lines, one record per line.
 * Opening it replays every line; a line cut short by a crash is dropped (it was never
 * acknowledged: a message is acknowledged only after its whole line is written).
 */
export interface LogFile {
  /**
   * Appends the lines in one write and waits until they are on disk; on failure the file is cut back.
   * If cutting back fails too, the file is `broken`: this and every later append reject.
   */
  append(lines: readonly string[]): Promise<void>;
  /** Replaces the file with `lines`: written to a new file, synced, then renamed over the old one. */
  rewrite(lines: Iterable<string>): Promise<void>;
  /** Lines in the file, including skipped ones: what compaction is measured against. */
  readonly lineCount: number;
  /** Bytes of whole, acknowledged lines: where the next append goes. */
  readonly byteLength: number;
  /** A failed write may have left lines behind: open the file again with `validBytes: byteLength`. */
  readonly broken: boolean;
  /** Closes the file; calling it again is harmless. */
  close(): Promise<void>;
}

export interface OpenLogFileOptions {
  /** Called with each line that parses as JSON, in file order. */
  onRecord(record: unknown, lineNumber: number): void;
  onWarning?(message: string): void;
  /** Bytes known to be whole, acknowledged lines (a broken file's `byteLength`): anything after them is cut off first. */
  validBytes?: number;
}

/** No record comes close; anything longer is damage, skipped without being held in memory. */
const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const REWRITE_CHUNK_LINES = 1_000;

export async function openLogFile(
  file: string,
  { onRecord, onWarning = console.warn, validBytes }: OpenLogFileOptions,
): Promise<LogFile> {
  const folder = path.resolve(path.dirname(file));
  const firstCreated = await mkdir(folder, { recursive: true });
  if (validBytes !== undefined) await cutBack(file, validBytes);
  const replayed = await replay(file, onRecord, onWarning);
  if (replayed.goodBytes < replayed.totalBytes) {
    onWarning(`${file}: dropped an incomplete last line (${replayed.totalBytes - replayed.goodBytes} bytes), left by a write cut short`);
    await truncate(file, replayed.goodBytes);
  }

  // Writes go to explicit positions (not O_APPEND), so a failed write can be cut back and overwritten.
  let handle = await open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  // The file may have just been created: its entry in the folder must reach the disk too, and
  // so must the entry of each folder just created. Cheap, once per open: done every time.
  const lastToSync = firstCreated === undefined ? folder : path.dirname(path.resolve(firstCreated));
  for (let dir = folder; ; dir = path.dirname(dir)) {
    await syncFolder(dir);
    if (dir === lastToSync || dir === path.dirname(dir)) break;
  }
  let size = replayed.goodBytes;
  let lineCount = replayed.lineCount;
  let broken = false;
  let closing: Promise<void> | undefined;

  const assertUsable = () => {
    if (closing) throw new Error(`${file}: the log file is closed`);
    if (broken) throw new Error(`${file}: the log file is broken (a failed write could not be cut back); open it again`);
  };

  return {
    // #region append
    async append(lines) {
      assertUsable();
      if (lines.length === 0) return;
      const bytes = Buffer.from(`${lines.join('\n')}\n`);
      try {
        await writeAll(handle, bytes, size);
        await handle.datasync();
      } catch (error) {
        try {
          await handle.truncate(size); // leave no partial line behind
        } catch (truncateError) {
          // Lines of this rejected batch may stay in the file: refuse to write after them.
          broken = true;
          throw new AggregateError([error, truncateError], `${file}: a write failed and cutting it back failed too; the file is marked broken`);
        }
        throw error;
      }
      size += bytes.byteLength;
      lineCount += lines.length;
    },
    // #endregion append

    async rewrite(lines) {
      assertUsable();
      const temporary = `${file}.tmp`;
      const next = await open(temporary, 'w', 0o644);
      let nextSize = 0;
      let nextLines = 0;
      try {
        let chunk: string[] = [];
        const flushChunk = async () => {
          if (chunk.length === 0) return;
          const bytes = Buffer.from(`${chunk.join('\n')}\n`);
          await writeAll(next, bytes, nextSize);
          nextSize += bytes.byteLength;
          nextLines += chunk.length;
          chunk = [];
        };
        for (const line of lines) {
          chunk.push(line);
          if (chunk.length >= REWRITE_CHUNK_LINES) await flushChunk();
        }
        await flushChunk();
        await next.sync();
        await rename(temporary, file);
      } catch (error) {
        // Best-effort cleanup on the way out: the original error is what matters, and a
        // leftover temporary file is harmless (the next rewrite opens it with 'w', truncating it).
        await next.close().catch(() => {});
        await rm(temporary, { force: true }).catch(() => {});
        throw error;
      }
      // The new handle already points at the renamed file; the old one points at the replaced file.
      // Switch first, so that appends go to the file at the path even if a step below fails.
      const previous = handle;
      handle = next;
      size = nextSize;
      lineCount = nextLines;
      try {
        await syncFolder(folder); // the rename itself is durable only once the folder is synced
      } finally {
        await previous.close();
      }
    },

    get lineCount() {
      return lineCount;
    },

    get byteLength() {
      return size;
    },

    get broken() {
      return broken;
    },

    close() {
      return (closing ??= handle.close());
    },
  };
}

/** Makes changes to the folder's entries (a created or renamed file) durable. */
async function syncFolder(folder: string): Promise<void> {
  const directory = await openFolder(folder);
  if (!directory) return;
  try {
    await directory.sync();
  } catch (error) {
    if (!FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await directory.close();
  }
}

// Linux syncs a folder like a file. Some platforms and file systems cannot: Windows refuses to
// open a folder (EISDIR, EPERM), and some file systems reject fsync on one (EINVAL). There the
// rename is as durable as the platform makes it, and failing every write over it would help nobody.
const FOLDER_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM']);

async function openFolder(folder: string): Promise<FileHandle | undefined> {
  try {
    return await open(folder, 'r');
  } catch (error) {
    if (FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** Cuts off what follows the last acknowledged line, never lengthening the file. */
async function cutBack(file: string, validBytes: number): Promise<void> {
  let current: number;
  try {
    current = (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // replay will start it afresh
    throw error;
  }
  if (current > validBytes) await truncate(file, validBytes);
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written, position + written);
    written += bytesWritten;
  }
}

// #region replay
/** Reads the file line by line without holding it in memory; returns where its last complete line ends. */
async function replay(
  file: string,
  onRecord: OpenLogFileOptions['onRecord'],
  onWarning: NonNullable<OpenLogFileOptions['onWarning']>,
): Promise<{ lineCount: number; goodBytes: number; totalBytes: number }> {
  let lineCount = 0;
  let lineStart = 0; // file offset of the line being read
  let totalBytes = 0;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let oversized = false;

  const finishLine = (bytes: Buffer) => {
    lineCount += 1;
    if (oversized) {
      onWarning(`${file}: line ${lineCount} is longer than ${MAX_LINE_BYTES} bytes; skipped`);
      return;
    }
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      onWarning(`${file}: line ${lineCount} is not valid JSON; skipped`);
      return;
    }
    onRecord(record, lineCount);
  };

  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, newline);
        finishLine(partialBytes === 0 ? piece : Buffer.concat([...partial, piece]));
        lineStart = totalBytes + newline + 1;
        partial = [];
        partialBytes = 0;
        oversized = false;
        start = newline + 1;
      }
      if (start < chunk.byteLength && !oversized) {
        partial.push(chunk.subarray(start));
        partialBytes += chunk.byteLength - start;
        if (partialBytes > MAX_LINE_BYTES) {
          oversized = true;
          partial = [];
          partialBytes = 0;
        }
      }
      totalBytes += chunk.byteLength;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lineCount: 0, goodBytes: 0, totalBytes: 0 };
    throw error;
  }
  return { lineCount, goodBytes: lineStart, totalBytes };
}
// #endregion replay
