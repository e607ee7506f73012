import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCursor, parseCursor } from '../../../../src/server/chat/cursor.ts';
import {
  CHAT_LOG_FILE,
  createMessageLog,
  WORST_CASE_LINE_BYTES,
  type BatchWritten,
  type MessageLogOptions,
} from '../../../../src/server/chat/message-log.ts';
import type { MessageStore } from '../../../../src/server/chat/message-store.ts';

const folders: string[] = [];
const stores: MessageStore[] = [];
afterEach(async () => {
  // Close before removing: an open handle would outlive the test (and keep the folder busy on Windows).
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const folder of folders.splice(0)) {
    chmodSync(folder, 0o755);
    rmSync(folder, { recursive: true, force: true });
  }
});
/** A store, closed after the test. */
function openLog(options: MessageLogOptions = {}) {
  const store = createMessageLog(options);
  stores.push(store);
  return store;
}
function tempDir(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'chat-log-test-'));
  folders.push(folder);
  return folder;
}
const draft = (text: string, room = 'lobby') => ({ text, author: 'tester', room });
const texts = (messages: { text: string }[]) => messages.map((message) => message.text);
const logLines = (folder: string) => readFileSync(path.join(folder, CHAT_LOG_FILE), 'utf8').split('\n').filter(Boolean);
const record = (id: number, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ id, text: `m${id}`, author: 'a', at: 1_000, room: 'lobby', ...fields });
const writeLog = (folder: string, lines: string[]) => writeFileSync(path.join(folder, CHAT_LOG_FILE), `${lines.join('\n')}\n`);

describe('message log: the initial load', () => {
  it('answers the initial load with the latest 50 and the cursor of the newest', async () => {
    const log = openLog();
    let epoch = '';
    for (let i = 1; i <= 60; i++) epoch = (await log.append(draft(`m${i}`))).message.epoch;
    const initial = await log.read('lobby');
    expect(initial.messages).toHaveLength(50);
    expect(initial.messages[0]!.id).toBe(11);
    expect(initial).toMatchObject({ cursor: `${epoch}.60`, gap: false, reset: false });
    expect(texts((await log.read('lobby', { epoch, id: 57 })).messages)).toEqual(['m58', 'm59', 'm60']);
  });
});

describe('message log: retention depends only on writes, so a restart arrives at the same rooms', () => {
  it('evicts the least recently written room at the cap, whoever reads or waits in it, and again after a restart', async () => {
    const dataDir = tempDir();
    const log = openLog({ dataDir, maxRooms: 2 });
    await log.append(draft('a', 'room-a'));
    const b = await log.append(draft('b', 'room-b'));
    const waiting = log.waitForMessagesAfter('room-a', parseCursor((await log.read('room-a')).cursor), { timeoutMs: 60_000 });
    await log.read('room-a'); // reading does not keep a room
    await log.append(draft('c', 'room-c'));
    expect(log.counts.rooms).toBe(2);
    expect((await log.read('room-a')).messages).toEqual([]);
    const fresh = await log.append(draft('a2', 'room-a')); // a new incarnation: id 1, another epoch
    expect(fresh.message.id).toBe(1);
    await expect(waiting).resolves.toMatchObject({ outcome: 'message', reset: true, messages: [{ text: 'a2' }] });
    await log.close();

    const replayed = openLog({ dataDir, maxRooms: 2 });
    expect(texts((await replayed.read('room-a')).messages)).toEqual(['a2']);
    expect((await replayed.read('room-a')).cursor).toBe(formatCursor(fresh.message));
    expect((await replayed.read('room-b')).messages).toEqual([]); // evicted while running, evicted on replay
    await expect(replayed.read('room-b', { epoch: b.message.epoch, id: 1 })).resolves.toMatchObject({ reset: true });
  });

  it('drops rooms nobody wrote to for a day, whoever reads them, and again after a restart', async () => {
    const dataDir = tempDir();
    let now = 1_000_000;
    const log = openLog({ dataDir, now: () => now });
    await log.append(draft('old', 'room-old'));
    now += 23 * 3_600_000;
    await log.append(draft('new', 'room-new'));
    await log.read('room-old');
    now += 2 * 3_600_000;
    await log.append(draft('newer', 'room-new'));
    expect(log.counts.rooms).toBe(1);
    expect((await log.read('room-old')).messages).toEqual([]);
    await log.close();

    const replayed = openLog({ dataDir, now: () => now });
    expect(texts((await replayed.read('room-new')).messages)).toEqual(['new', 'newer']);
    expect((await replayed.read('room-old')).messages).toEqual([]);
    expect(replayed.counts.rooms).toBe(1);
  });
});

describe('message log: closing', () => {
  it('writes every accepted message before it closes, then refuses new ones', async () => {
    const dataDir = tempDir();
    const log = createMessageLog({ dataDir });
    await log.append(draft('opened'));
    const late = ['a', 'b', 'c'].map((text) => log.append(draft(text)));
    await log.close();
    await expect(Promise.all(late)).resolves.toHaveLength(3);
    expect(logLines(dataDir)).toHaveLength(4);
    await expect(log.append(draft('too late'))).rejects.toThrow(/closed/);
    await expect(log.close()).resolves.toBeUndefined(); // closing twice is harmless
  });
});

describe('message log: epochs across restarts', () => {
  it('stores the epoch in every line: a restart (clean or not) keeps the incarnation, cursors still resume', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    const one = await first.append(draft('one'));
    await first.append(draft('two'));
    await first.append(draft('elsewhere', 'room-2'));
    expect(logLines(dataDir).map((line) => JSON.parse(line).epoch)).toEqual([one.message.epoch, one.message.epoch, expect.any(String)]);

    const second = openLog({ dataDir }); // the first was never closed: as after a crash
    const resumed = await second.read('lobby', { epoch: one.message.epoch, id: 1 });
    expect(resumed).toMatchObject({ reset: false, gap: false, messages: [{ id: 2, text: 'two' }] });
    await expect(second.append(draft('three'))).resolves.toMatchObject({ message: { id: 3, epoch: one.message.epoch } });
    await expect(second.append(draft('again', 'room-2'))).resolves.toMatchObject({ message: { id: 2 } });
  });

  it('starts new incarnations on an empty or a replaced data folder: old cursors get a reset', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    const old = await first.append(draft('before'));
    await first.append(draft('before 2'));
    await first.close();

    rmSync(path.join(dataDir, CHAT_LOG_FILE)); // an empty data folder
    const emptied = openLog({ dataDir });
    await expect(emptied.read('lobby', { epoch: old.message.epoch, id: 2 })).resolves.toMatchObject({ reset: true, messages: [] });
    const fresh = await emptied.append(draft('after'));
    expect(fresh.message).toMatchObject({ id: 1 });
    expect(fresh.message.epoch).not.toBe(old.message.epoch);
    await emptied.close();

    const other = tempDir(); // a replaced one: another server's log
    const elsewhere = openLog({ dataDir: other });
    for (const text of ['x1', 'x2', 'x3', 'x4']) await elsewhere.append(draft(text));
    await elsewhere.close();
    writeFileSync(path.join(dataDir, CHAT_LOG_FILE), readFileSync(path.join(other, CHAT_LOG_FILE)));
    const replaced = openLog({ dataDir });
    const answer = await replaced.read('lobby', { epoch: fresh.message.epoch, id: 1 });
    expect(answer).toMatchObject({ reset: true });
    expect(texts(answer.messages)).toEqual(['x1', 'x2', 'x3', 'x4']);
  });

  it('replays a log written before epochs, giving each room a stable epoch until a compaction writes it down', async () => {
    const dataDir = tempDir();
    writeLog(dataDir, [record(1), record(2), record(1, { room: 'other' }), record(1), record(2)]); // lobby started again at 1
    const first = openLog({ dataDir, now: () => 2_000 });
    const initial = await first.read('lobby');
    expect(initial.messages.map((message) => message.id)).toEqual([1, 2]);
    const cursor = parseCursor(initial.cursor);
    expect(cursor.epoch).toMatch(/^[a-z0-9]{8}$/);
    await first.close();
    const second = openLog({ dataDir, now: () => 2_000 });
    await expect(second.read('lobby', cursor)).resolves.toMatchObject({ reset: false, messages: [] });
    await expect(second.read('lobby', parseCursor('2'))).resolves.toMatchObject({ reset: true }); // an older client's cursor
    await expect(second.append(draft('next'))).resolves.toMatchObject({ message: { id: 3, epoch: cursor.epoch } });
  });
});

describe('message log: a damaged file', () => {
  it('skips a truncated last line with a warning, and appends cleanly after it', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    await first.append(draft('kept'));
    // A crash mid-write: longer than the next line, so leftovers would show if it were not removed.
    appendFileSync(path.join(dataDir, CHAT_LOG_FILE), `{"id":2,"text":"${'cut short '.repeat(30)}`);

    const warnings: string[] = [];
    const second = openLog({ dataDir, onWarning: (message) => warnings.push(message) });
    expect(texts((await second.read('lobby')).messages)).toEqual(['kept']);
    expect(warnings).toEqual([expect.stringContaining('incomplete last line')]);
    await expect(second.append(draft('next'))).resolves.toMatchObject({ message: { id: 2 } });

    const third = openLog({ dataDir, onWarning: (message) => warnings.push(message) });
    expect(texts((await third.read('lobby')).messages)).toEqual(['kept', 'next']);
    expect(warnings).toHaveLength(1);
  });

  it('loses a damaged line only: later lines replay, ids never go back, one warning names the line, the next write repairs the file', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    for (const text of ['one', 'two', 'three']) await first.append(draft(text));
    await first.close();
    const lines = logLines(dataDir);
    writeLog(dataDir, [lines[0]!, 'garbage', lines[2]!]);

    const warnings: string[] = [];
    const second = openLog({ dataDir, onWarning: (message) => warnings.push(message) });
    expect(texts((await second.read('lobby')).messages)).toEqual(['one', 'three']);
    expect(warnings).toEqual([expect.stringMatching(/1 damaged line skipped \(line 2\)/)]);
    const { epoch } = parseCursor((await second.read('lobby')).cursor);
    await expect(second.read('lobby', { epoch, id: 1 })).resolves.toMatchObject({ gap: true, messages: [{ text: 'three' }] });
    await expect(second.append(draft('four'))).resolves.toMatchObject({ message: { id: 4, epoch } });
    await second.flush();
    expect(logLines(dataDir).map((line) => JSON.parse(line).text)).toEqual(['one', 'three', 'four']); // repaired

    const third = openLog({ dataDir, onWarning: (message) => warnings.push(message) });
    expect(texts((await third.read('lobby')).messages)).toEqual(['one', 'three', 'four']);
    expect(warnings).toHaveLength(1);
  });

  it('never gives again an id a damaged last line may have held', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    for (const text of ['one', 'two', 'three']) await first.append(draft(text));
    await first.close();
    const lines = logLines(dataDir);
    writeLog(dataDir, [lines[0]!, lines[1]!, lines[2]!.slice(0, 40) + '#damage#']); // its room and id still readable
    const second = openLog({ dataDir, onWarning: () => {} });
    await expect(second.append(draft('four'))).resolves.toMatchObject({ message: { id: 4 } });
    await second.close();

    writeLog(dataDir, [lines[0]!, lines[1]!, '\u0000\u0000 unreadable']); // nothing readable: every room skips an id
    const third = openLog({ dataDir, onWarning: () => {} });
    await expect(third.append(draft('elsewhere', 'other-room'))).resolves.toMatchObject({ message: { id: 1 } });
    await third.flush(); // the repairing compaction keeps the skipped position
    await third.close();
    expect(logLines(dataDir).some((line) => line.includes('"lastId":3'))).toBe(true);

    const fourth = openLog({ dataDir, onWarning: () => {} });
    expect(texts((await fourth.read('lobby')).messages)).toEqual(['one', 'two']);
    await expect(fourth.append(draft('four'))).resolves.toMatchObject({ message: { id: 4 } });
  });

  it('skips lines that are not JSON, not messages, too long, or going back, never crashing', async () => {
    const dataDir = tempDir();
    const epoch = 'abcd1234';
    writeLog(dataDir, [
      record(1, { epoch }),
      'not json',
      '{"id":"x"}',
      record(2, { epoch }),
      record(7, { epoch }),
      'x'.repeat(70_000),
      record(3, { epoch }),
    ]);
    const warnings: string[] = [];
    const log = openLog({ dataDir, onWarning: (message) => warnings.push(message), now: () => 2_000 });
    expect(texts((await log.read('lobby')).messages)).toEqual(['m1', 'm2', 'm7']);
    expect(warnings).toEqual([expect.stringContaining('4 damaged lines skipped (line 2, 3, 6, 7)')]);
  });
});

describe('message log: compaction', () => {
  it('compacts the file to the retained messages once it outgrows them, keeping epochs and keys', async () => {
    const dataDir = tempDir();
    const log = openLog({ dataDir, maxMessagesPerRoom: 3, compactMinLines: 10 });
    let last;
    for (let i = 1; i <= 25; i++) last = await log.append({ ...draft(`m${i}`), idempotencyKey: `k${i}` });
    await log.flush();
    expect(logLines(dataDir).length).toBeLessThan(10);

    const replayed = openLog({ dataDir, maxMessagesPerRoom: 3 });
    expect(texts((await replayed.read('lobby')).messages)).toEqual(['m23', 'm24', 'm25']);
    await expect(replayed.append({ ...draft('m25'), idempotencyKey: 'k25' })).resolves.toEqual({ message: last!.message, repeated: true });
    await expect(replayed.append(draft('m26'))).resolves.toMatchObject({ message: { id: 26, epoch: last!.message.epoch } });
  });

  it('compacts by bytes too, so long lines cannot outgrow the bound', async () => {
    const dataDir = tempDir();
    const log = openLog({ dataDir, maxMessagesPerRoom: 2, compactMaxBytes: 4_000 });
    for (let i = 1; i <= 40; i++) await log.append(draft(`${'€'.repeat(400)} ${i}`));
    await log.flush();
    // Never past the bound by more than the batch that crossed it.
    expect(readFileSync(path.join(dataDir, CHAT_LOG_FILE)).byteLength).toBeLessThan(4_000 + WORST_CASE_LINE_BYTES);
  });

  it('reports a log it cannot open as a failure of that request, and tries again on the next', async () => {
    const dataDir = tempDir();
    const blocked = path.join(dataDir, 'blocker');
    writeFileSync(blocked, ''); // a file where the folder should be
    const log = openLog({ dataDir: blocked });
    await expect(log.append(draft('lost'))).rejects.toThrow();
    await expect(log.read('lobby')).rejects.toThrow();

    rmSync(blocked);
    mkdirSync(blocked);
    await expect(log.append(draft('saved'))).resolves.toMatchObject({ message: { id: 1, text: 'saved' } });
    expect(logLines(blocked)).toHaveLength(1);
  });
});

describe('message log: a read-only data folder', () => {
  it.skipIf(process.getuid?.() === 0)('replays once and reads from memory, refusing posts with the reason', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    await first.append(draft('kept'));
    await first.close();
    chmodSync(path.join(dataDir, CHAT_LOG_FILE), 0o444);
    chmodSync(dataDir, 0o555);
    const warnings: string[] = [];
    const log = openLog({ dataDir, onWarning: (message) => warnings.push(message) });
    expect(texts((await log.read('lobby')).messages)).toEqual(['kept']);
    await expect(log.append(draft('refused'))).rejects.toThrow(/cannot be written/);
    expect(texts((await log.read('lobby')).messages)).toEqual(['kept']);
    expect(log.readOnlyReason).toMatch(/cannot be written/);
    expect(warnings).toHaveLength(1); // replayed once
  });
});

describe('message log: write figures', () => {
  it('reports each batch: messages, bytes and the time its sync took', async () => {
    const dataDir = tempDir();
    const batches: BatchWritten[] = [];
    const log = openLog({ dataDir, onBatchWritten: (batch) => batches.push(batch) });
    await log.append(draft('first'));
    await Promise.all(['a', 'b', 'c'].map((text) => log.append(draft(text))));
    expect(batches.reduce((sum, batch) => sum + batch.messages, 0)).toBe(4);
    expect(batches.reduce((sum, batch) => sum + batch.bytes, 0)).toBe(readFileSync(path.join(dataDir, CHAT_LOG_FILE)).byteLength);
    for (const batch of batches) expect(batch.syncMs).toBeGreaterThanOrEqual(0);
  });
});
