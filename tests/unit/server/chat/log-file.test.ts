import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLogFile, type LogFile } from '../../../../src/server/chat/log-file.ts';
import { CHAT_LOG_FILE, createMessageLog } from '../../../../src/server/chat/message-log.ts';
import type { MessageStore } from '../../../../src/server/chat/message-store.ts';

/** What the disk does, and what it was asked to do: the real file system with faults switched on by tests. */
const disk = vi.hoisted(() => ({
  events: [] as string[],
  /** The datasync calls still to succeed before one fails (Infinity: none fails). */
  datasyncsBeforeFailure: Infinity,
  failHandleTruncate: false,
  failPathTruncate: false,
  folderSyncError: undefined as string | undefined,
  /** Opening a file for writing fails with EROFS, as on a read-only mount (root ignores file modes). */
  readOnly: false,
  reset() {
    this.readOnly = false;
    this.events = [];
    this.datasyncsBeforeFailure = Infinity;
    this.failHandleTruncate = false;
    this.failPathTruncate = false;
    this.folderSyncError = undefined;
  },
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const { statSync } = await import('node:fs');
  const { basename } = await import('node:path');
  const fault = (code: string) => Object.assign(new Error(`${code}: injected by the test`), { code });
  const open: typeof actual.open = async (file, flags, mode) => {
    if (disk.readOnly && flags !== 'r' && flags !== undefined) throw fault('EROFS');
    const handle = await actual.open(file, flags, mode);
    const name = basename(String(file));
    if (statSync(file).isDirectory()) {
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        if (disk.folderSyncError) throw fault(disk.folderSyncError);
        await sync();
        disk.events.push(`sync folder ${name}`);
      };
      return handle;
    }
    const datasync = handle.datasync.bind(handle);
    handle.datasync = async () => {
      if (disk.datasyncsBeforeFailure-- <= 0) {
        disk.datasyncsBeforeFailure = Infinity;
        throw fault('EIO');
      }
      return datasync();
    };
    const truncate = handle.truncate.bind(handle) as FileHandle['truncate'];
    handle.truncate = async (length) => {
      if (disk.failHandleTruncate) throw fault('EIO');
      return truncate(length);
    };
    return handle;
  };
  const rename: typeof actual.rename = async (from, to) => {
    await actual.rename(from, to);
    disk.events.push(`rename ${basename(String(to))}`);
  };
  const truncate: typeof actual.truncate = async (file, length) => {
    if (disk.failPathTruncate) throw fault('EIO');
    return actual.truncate(file, length);
  };
  const mocked = { ...actual, open, rename, truncate };
  return { ...mocked, default: mocked };
});

const folders: string[] = [];
const closers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  disk.reset();
  await Promise.all(closers.splice(0).map((closer) => closer.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function tempDir(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'chat-log-file-test-'));
  folders.push(folder);
  return folder;
}
async function open(file: string): Promise<LogFile> {
  const log = await openLogFile(file, { onRecord: () => {}, onWarning: () => {} });
  closers.push(log);
  return log;
}
function store(dataDir: string): MessageStore {
  const log = createMessageLog({ dataDir, onWarning: () => {} });
  closers.push(log);
  return log;
}
const fileLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const draft = (text: string) => ({ text, author: 'tester', room: 'lobby' });

describe('log file: the folder entry reaches the disk', () => {
  it('syncs the folder once the file is created, and the parent of a folder it created', async () => {
    const parent = tempDir();
    await open(path.join(parent, 'data', 'chat.jsonl'));
    expect(disk.events).toEqual(['sync folder data', `sync folder ${path.basename(parent)}`]);
  });

  it('syncs the folder after renaming the compacted file over the old one', async () => {
    const file = path.join(tempDir(), 'chat.jsonl');
    const log = await open(file);
    await log.append(['1', '2', '3']);
    disk.events = [];
    await log.rewrite(['3']);
    expect(disk.events).toEqual(['rename chat.jsonl', expect.stringMatching(/^sync folder /)]);
    expect(fileLines(file)).toEqual(['3']);
  });

  it('carries on where a folder cannot be synced (EINVAL), but reports a real failure with the new file in use', async () => {
    const file = path.join(tempDir(), 'chat.jsonl');
    disk.folderSyncError = 'EINVAL';
    const log = await open(file);
    await log.append(['1', '2']);
    await log.rewrite(['2']);

    disk.folderSyncError = 'EIO';
    await expect(log.rewrite(['2', '3'])).rejects.toThrow(/EIO/);
    disk.folderSyncError = undefined;
    await log.append(['4']); // lands in the file now at the path, not in the replaced one
    expect(fileLines(file)).toEqual(['2', '3', '4']);
  });
});

describe('log file: a failed write that cannot be cut back', () => {
  it('marks the file broken and refuses further appends, saying why', async () => {
    const file = path.join(tempDir(), 'chat.jsonl');
    const log = await open(file);
    await log.append(['kept']);
    disk.datasyncsBeforeFailure = 0;
    disk.failHandleTruncate = true;
    const failure = await log.append(['lost 1', 'lost 2', 'lost 3']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toHaveLength(2); // the write's error and the truncate's
    expect(log.broken).toBe(true);

    disk.reset();
    await expect(log.append(['stale'])).rejects.toThrow(/broken/);
    expect(fileLines(file)).toEqual(['kept', 'lost 1', 'lost 2', 'lost 3']); // nothing written at a stale size
  });

  it('the store answers later posts only after reopening the file, so rejected lines never replay as accepted', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, CHAT_LOG_FILE);
    const log = store(dataDir);
    await log.append(draft('m1'));

    disk.datasyncsBeforeFailure = 1; // the next batch succeeds, the one after fails
    disk.failHandleTruncate = true;
    const inFlight = log.append(draft('m2'));
    const rejected = ['x3', 'x4', 'x5'].map((text) => log.append(draft(text))); // one batch, written after m2
    await expect(inFlight).resolves.toMatchObject({ message: { id: 2 } });
    for (const post of rejected) await expect(post).rejects.toThrow();
    expect(fileLines(file)).toHaveLength(5); // the rejected lines are still in the file

    // Still failing: the file cannot be cut back on reopening either, so posts keep failing (503).
    disk.failHandleTruncate = false;
    disk.failPathTruncate = true;
    await expect(log.append(draft('n3'))).rejects.toThrow();
    await expect(log.read('lobby')).rejects.toThrow();

    disk.failPathTruncate = false;
    await expect(log.append(draft('m3'))).resolves.toMatchObject({ message: { id: 3, text: 'm3' } });
    expect((await log.read('lobby')).messages.map((message) => message.text)).toEqual(['m1', 'm2', 'm3']);
    const replayed = store(dataDir);
    expect((await replayed.read('lobby')).messages.map((message) => message.text)).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('a read-only data folder', () => {
  it('replays the log once, answers reads from memory, and refuses posts with a clear reason', async () => {
    const dataDir = tempDir();
    const writer = createMessageLog({ dataDir });
    await writer.append({ room: 'lobby', text: 'kept', author: 'a' });
    await writer.close();

    disk.readOnly = true;
    const warnings: string[] = [];
    const log = createMessageLog({ dataDir, onWarning: (message) => warnings.push(message) });
    closers.push(log);
    expect((await log.read('lobby')).messages.map((message) => message.text)).toEqual(['kept']);
    await expect(log.append({ room: 'lobby', text: 'refused', author: 'a' })).rejects.toMatchObject({
      name: 'LogReadOnlyError',
      message: expect.stringContaining('cannot be written (EROFS'),
    });
    expect((await log.read('lobby')).messages.map((message) => message.text)).toEqual(['kept']);
    expect(warnings).toEqual([expect.stringContaining('cannot be written')]); // one replay, one warning
  });
});
