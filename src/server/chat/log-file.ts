import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * The chat's durable memory: an append-only file of JSON lines, one record per line.
 * Opening it replays every line; a line cut short by a crash is dropped (it was never
 * acknowledged: a message is acknowledged only after its whole line is written).
 */
export interface LogFile {
  /** Appends the lines in one write and waits until they are on disk; on failure the file is cut back. */
  append(lines: readonly string[]): Promise<void>;
  /** Replaces the file with `lines`: written to a new file, synced, then renamed over the old one. */
  rewrite(lines: Iterable<string>): Promise<void>;
  /** Lines in the file, including skipped ones: what compaction is measured against. */
  readonly lineCount: number;
  close(): Promise<void>;
}

export interface OpenLogFileOptions {
  /** Called with each line that parses as JSON, in file order. */
  onRecord(record: unknown, lineNumber: number): void;
  onWarning?(message: string): void;
}

/** No record comes close; anything longer is damage, skipped without being held in memory. */
const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const REWRITE_CHUNK_LINES = 1_000;

export async function openLogFile(file: string, { onRecord, onWarning = console.warn }: OpenLogFileOptions): Promise<LogFile> {
  await mkdir(path.dirname(file), { recursive: true });
  const replayed = await replay(file, onRecord, onWarning);
  if (replayed.goodBytes < replayed.totalBytes) {
    onWarning(`${file}: dropped an incomplete last line (${replayed.totalBytes - replayed.goodBytes} bytes), left by a write cut short`);
    await truncate(file, replayed.goodBytes);
  }

  // Writes go to explicit positions (not O_APPEND), so a failed write can be cut back and overwritten.
  let handle = await open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  let size = replayed.goodBytes;
  let lineCount = replayed.lineCount;

  return {
    // #region append
    async append(lines) {
      if (lines.length === 0) return;
      const bytes = Buffer.from(`${lines.join('\n')}\n`);
      try {
        await writeAll(handle, bytes, size);
        await handle.datasync();
      } catch (error) {
        await handle.truncate(size).catch(() => {}); // leave no partial line behind
        throw error;
      }
      size += bytes.byteLength;
      lineCount += lines.length;
    },
    // #endregion append

    async rewrite(lines) {
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
        await next.close().catch(() => {});
        await rm(temporary, { force: true }).catch(() => {});
        throw error;
      }
      // The new handle already points at the renamed file; the old one points at the replaced file.
      const previous = handle;
      handle = next;
      size = nextSize;
      lineCount = nextLines;
      await previous.close();
    },

    get lineCount() {
      return lineCount;
    },

    async close() {
      await handle.close();
    },
  };
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
