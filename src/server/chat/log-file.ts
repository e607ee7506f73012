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
   * Resolves with what the write cost (for the server's statistics).
   * @throws LogReadOnlyError when the file could only be opened for reading.
   */
  append(lines: readonly string[]): Promise<AppendFigures>;
  /** Replaces the file with `lines`: written to a new file, synced, then renamed over the old one. */
  rewrite(lines: Iterable<string>): Promise<void>;
  /** Lines in the file, including skipped ones: what compaction is measured against. */
  readonly lineCount: number;
  /** Bytes of whole, acknowledged lines: where the next append goes. */
  readonly byteLength: number;
  /** A failed write may have left lines behind: open the file again with `validBytes: byteLength`. */
  readonly broken: boolean;
  /** Why the file cannot be written (a read-only folder or file), or undefined when it can. */
  readonly readOnlyReason: string | undefined;
  /** Closes the file; calling it again is harmless. */
  close(): Promise<void>;
}

/** What one append cost: lines and bytes written in one write, and the time the sync to disk took. */
export interface AppendFigures {
  lines: number;
  bytes: number;
  syncMs: number;
}

/** The log's file or folder cannot be written: reads keep working from memory, writes are refused. */
export class LogReadOnlyError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'LogReadOnlyError';
  }
}

export interface OpenLogFileOptions {
  /** Called with each line that parses as JSON, in file order. */
  onRecord(record: unknown, lineNumber: number): void;
  /** Called with each line that is not JSON (or is too long): `text` is its start, when it is short enough to hold. */
  onDamage?(lineNumber: number, text: string | undefined): void;
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
  { onRecord, onDamage = () => {}, onWarning = console.warn, validBytes }: OpenLogFileOptions,
): Promise<LogFile> {
  const folder = path.resolve(path.dirname(file));
  const firstCreated = await mkdir(folder, { recursive: true });
  if (validBytes !== undefined) await cutBack(file, validBytes);
  const replayed = await replay(file, onRecord, onDamage);

  // Writes go to explicit positions (not O_APPEND), so a failed write can be cut back and overwritten.
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (error) {
    if (!READ_ONLY_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    const reason = `the chat log cannot be written (${(error as NodeJS.ErrnoException).code} on its data folder); messages can be read but not posted`;
    onWarning(`${file}: ${reason}`);
    return readOnlyLog(reason, replayed.lineCount, replayed.goodBytes);
  }
  if (replayed.goodBytes < replayed.totalBytes) {
    onWarning(`${file}: dropped an incomplete last line (${replayed.totalBytes - replayed.goodBytes} bytes), left by a write cut short`);
    await handle.truncate(replayed.goodBytes);
  }
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
      if (lines.length === 0) return { lines: 0, bytes: 0, syncMs: 0 };
      const bytes = Buffer.from(`${lines.join('\n')}\n`);
      let syncMs = 0;
      try {
        await writeAll(handle, bytes, size);
        const syncStart = performance.now();
        await handle.datasync();
        syncMs = performance.now() - syncStart;
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
      return { lines: lines.length, bytes: bytes.byteLength, syncMs };
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

    readOnlyReason: undefined,

    close() {
      return (closing ??= handle.close());
    },
  };
}

/** Errors of `open` that mean the file or its folder is read-only for this process. */
const READ_ONLY_CODES = new Set(['EACCES', 'EROFS', 'EPERM']);

/** A log that was replayed but cannot be written: every append rejects with the reason. */
function readOnlyLog(reason: string, lineCount: number, byteLength: number): LogFile {
  const refuse = async (): Promise<never> => {
    throw new LogReadOnlyError(reason);
  };
  return { append: refuse, rewrite: refuse, lineCount, byteLength, broken: false, readOnlyReason: reason, close: async () => {} };
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
  onDamage: NonNullable<OpenLogFileOptions['onDamage']>,
): Promise<{ lineCount: number; goodBytes: number; totalBytes: number }> {
  let lineCount = 0;
  let lineStart = 0; // file offset of the line being read
  let totalBytes = 0;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let oversized = false;

  const finishLine = (bytes: Buffer) => {
    lineCount += 1;
    if (oversized) return onDamage(lineCount, undefined);
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return onDamage(lineCount, text);
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
