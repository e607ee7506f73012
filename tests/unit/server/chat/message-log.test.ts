import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_LOG_FILE, createMessageLog, type MessageLogOptions } from '../../../../src/server/chat/message-log.ts';
import type { MessageStore } from '../../../../src/server/chat/message-store.ts';

const folders: string[] = [];
const stores: MessageStore[] = [];
afterEach(async () => {
  // Close before removing: an open handle would outlive the test (and keep the folder busy on Windows).
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
/** A store over a file, closed after the test. */
function openLog(options: MessageLogOptions): MessageStore {
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
/** Lets pending promise callbacks run (a waiter registers after the log is ready). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const logLines = (folder: string) => readFileSync(path.join(folder, CHAT_LOG_FILE), 'utf8').split('\n').filter(Boolean);

describe('message log: ids and order', () => {
  it('numbers each room from 1, one more per message, in the order they are accepted', async () => {
    const log = createMessageLog();
    const sent = await Promise.all(['a', 'b', 'c'].map((text) => log.append(draft(text))));
    const other = await log.append(draft('x', 'room-2'));
    expect(sent.map((message) => message.id)).toEqual([1, 2, 3]);
    expect(other).toMatchObject({ id: 1, room: 'room-2', text: 'x', author: 'tester' });
    expect(sent[0]!.at).toEqual(expect.any(Number));
    const { messages, cursor } = await log.read('lobby', 0);
    expect(messages.map((message) => message.id)).toEqual([1, 2, 3]);
    expect(cursor).toBe(3);
  });

  it('answers the initial load with the latest 50, and a cursor with only what is newer', async () => {
    const log = createMessageLog();
    for (let i = 1; i <= 60; i++) await log.append(draft(`m${i}`));
    const initial = await log.read('lobby');
    expect(initial.messages).toHaveLength(50);
    expect(initial.messages[0]!.id).toBe(11);
    expect(initial).toMatchObject({ cursor: 60, gap: false });
    expect(texts((await log.read('lobby', 57)).messages)).toEqual(['m58', 'm59', 'm60']);
    expect((await log.read('lobby', 60)).messages).toEqual([]);
  });
});

describe('message log: retention and gap', () => {
  it('keeps the newest messages of a room and says so when a cursor is older than them', async () => {
    const log = createMessageLog({ maxMessagesPerRoom: 5 });
    for (let i = 1; i <= 12; i++) await log.append(draft(`m${i}`));
    expect(log.counts.messages).toBe(5);
    const stale = await log.read('lobby', 3);
    expect(stale.gap).toBe(true);
    expect(stale.messages.map((message) => message.id)).toEqual([8, 9, 10, 11, 12]);
    const justInTime = await log.read('lobby', 7);
    expect(justInTime.gap).toBe(false);
    expect(justInTime.messages.map((message) => message.id)).toEqual([8, 9, 10, 11, 12]);
  });

  it('reports a gap for a cursor the room never reached (it was dropped and started again)', async () => {
    const log = createMessageLog();
    await log.append(draft('fresh'));
    expect(await log.read('lobby', 40)).toMatchObject({ cursor: 1, gap: true, messages: [{ id: 1 }] });
    expect(await log.read('nobody-here', 5)).toEqual({ messages: [], cursor: 0, gap: true });
  });

  it('holds at most maxRooms, evicting the least recently active room nobody waits in', async () => {
    const log = createMessageLog({ maxRooms: 2 });
    await log.append(draft('a', 'room-a'));
    await log.append(draft('b', 'room-b'));
    const waiting = log.waitForMessagesAfter('room-a', 1, { timeoutMs: 60_000 });
    await settle();
    await log.read('room-b'); // room-a is now the least recently active, but somebody waits in it
    await log.append(draft('c', 'room-c'));
    expect(log.counts.rooms).toBe(2);
    expect((await log.read('room-b')).messages).toEqual([]);
    expect(texts((await log.read('room-a')).messages)).toEqual(['a']);
    await log.append(draft('a2', 'room-a'));
    await expect(waiting).resolves.toMatchObject({ outcome: 'message', messages: [{ id: 2, text: 'a2' }] });
  });

  it('drops rooms idle for a day', async () => {
    let now = 1_000_000;
    const log = createMessageLog({ now: () => now });
    await log.append(draft('old', 'room-old'));
    now += 23 * 3_600_000;
    await log.append(draft('new', 'room-new'));
    now += 2 * 3_600_000;
    await log.append(draft('newer', 'room-new'));
    expect(log.counts.rooms).toBe(1);
    expect((await log.read('room-old')).messages).toEqual([]);
  });
});

describe('message log: waiting', () => {
  it('answers at once when there is news, otherwise on the next message of the room', async () => {
    const log = createMessageLog();
    await log.append(draft('first'));
    await expect(log.waitForMessagesAfter('lobby', 0, { timeoutMs: 60_000 })).resolves.toMatchObject({
      outcome: 'message',
      cursor: 1,
    });
    const waiting = log.waitForMessagesAfter('lobby', 1, { timeoutMs: 60_000 });
    await settle();
    expect(log.counts.waiters).toBe(1);
    await log.append(draft('elsewhere', 'room-2'));
    expect(log.counts.waiters).toBe(1);
    await log.append(draft('second'));
    await expect(waiting).resolves.toMatchObject({ outcome: 'message', cursor: 2, messages: [{ id: 2, text: 'second' }] });
    expect(log.counts.waiters).toBe(0);
  });

  it('registers a waiter in the same turn once the store is ready, also without a file', async () => {
    const log = createMessageLog();
    await log.append(draft('first'));
    const waiting = log.waitForMessagesAfter('lobby', 1, { timeoutMs: 60_000 });
    expect(log.counts.waiters).toBe(1); // no promise callback in between: nothing can slip past it
    await log.append(draft('second'));
    await expect(waiting).resolves.toMatchObject({ outcome: 'message', messages: [{ id: 2 }] });
  });

  it('answers empty with the same cursor on timeout or abort, leaving no waiter', async () => {
    const log = createMessageLog();
    await log.append(draft('only'));
    await expect(log.waitForMessagesAfter('lobby', 1, { timeoutMs: 20 })).resolves.toEqual({
      messages: [],
      cursor: 1,
      gap: false,
      outcome: 'timeout',
    });
    const client = new AbortController();
    const waiting = log.waitForMessagesAfter('lobby', 1, { timeoutMs: 60_000, signal: client.signal });
    await settle();
    client.abort();
    await expect(waiting).resolves.toMatchObject({ messages: [], cursor: 1, outcome: 'aborted' });
    expect(log.counts.waiters).toBe(0);
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

describe('message log: persistence', () => {
  it('replays its file on start: history kept, ids continue', async () => {
    const dataDir = tempDir();
    const first = openLog({ dataDir });
    await first.append(draft('one'));
    await first.append(draft('two'));
    await first.append(draft('elsewhere', 'room-2'));
    expect(logLines(dataDir)).toHaveLength(3);

    const second = openLog({ dataDir });
    expect(texts((await second.read('lobby')).messages)).toEqual(['one', 'two']);
    await expect(second.append(draft('three'))).resolves.toMatchObject({ id: 3 });
    await expect(second.append(draft('again', 'room-2'))).resolves.toMatchObject({ id: 2 });
  });

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
    await expect(second.append(draft('next'))).resolves.toMatchObject({ id: 2 });

    const third = openLog({ dataDir, onWarning: (message) => warnings.push(message) });
    expect(texts((await third.read('lobby')).messages)).toEqual(['kept', 'next']);
    expect(warnings).toHaveLength(1);
  });

  it('skips damaged lines in the middle with a warning, never crashing', async () => {
    const dataDir = tempDir();
    const good = (id: number) => JSON.stringify({ id, text: `m${id}`, author: 'a', at: 1, room: 'lobby' });
    writeFileSync(
      path.join(dataDir, CHAT_LOG_FILE),
      [good(1), 'not json', '{"id":"x"}', good(2), good(7), `${'x'.repeat(70_000)}`, good(3), ''].join('\n'),
    );
    const warnings: string[] = [];
    const log = openLog({ dataDir, onWarning: (message) => warnings.push(message), now: () => 2 });
    expect(texts((await log.read('lobby')).messages)).toEqual(['m1', 'm2', 'm3']);
    expect(warnings).toHaveLength(4);
  });

  it('compacts the file to the retained messages once it outgrows them', async () => {
    const dataDir = tempDir();
    const log = openLog({ dataDir, maxMessagesPerRoom: 3, compactMinLines: 10 });
    for (let i = 1; i <= 25; i++) await log.append(draft(`m${i}`));
    await log.flush();
    expect(logLines(dataDir).length).toBeLessThan(10);

    const replayed = openLog({ dataDir, maxMessagesPerRoom: 3 });
    expect(texts((await replayed.read('lobby')).messages)).toEqual(['m23', 'm24', 'm25']);
    await expect(replayed.append(draft('m26'))).resolves.toMatchObject({ id: 26 });
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
    await expect(log.append(draft('saved'))).resolves.toMatchObject({ id: 1, text: 'saved' });
    expect(logLines(blocked)).toHaveLength(1);
  });

  it('compacts each retained message exactly once while reads keep reordering the rooms', async () => {
    const dataDir = tempDir();
    // 5 rooms of 900 lines, 400 kept per room: compaction writes 2,000 lines, in several chunks.
    const roomNames = ['r0', 'r1', 'r2', 'r3', 'r4'];
    const at = Date.now();
    const lines = roomNames.flatMap((room) =>
      Array.from({ length: 900 }, (_, i) => JSON.stringify({ id: i + 1, text: `${room}-${i + 1}`, author: 'a', at, room })),
    );
    writeFileSync(path.join(dataDir, CHAT_LOG_FILE), `${lines.join('\n')}\n`);
    const log = openLog({ dataDir, maxMessagesPerRoom: 400, compactMinLines: 10 });
    await log.append(draft('trigger', 'r-new')); // compaction starts right after this batch

    // Every read makes its room the most recently active, as polls do while the file is rewritten.
    let compacting = true;
    let readsDuringCompaction = 0;
    const reading = (async () => {
      for (let round = 0; compacting && round < 500; round++) {
        for (const room of roomNames) await log.read(room, 0);
        readsDuringCompaction += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await log.flush();
    compacting = false;
    await reading;
    expect(readsDuringCompaction).toBeGreaterThan(0);

    const written = logLines(dataDir).map((line) => JSON.parse(line) as { room: string; id: number });
    const keys = written.map(({ room, id }) => `${room}#${id}`);
    expect(new Set(keys).size).toBe(keys.length); // no message twice
    expect(written).toHaveLength(5 * 400 + 1);
    for (const room of roomNames) {
      expect(written.filter((message) => message.room === room).map((message) => message.id)).toEqual(
        Array.from({ length: 400 }, (_, i) => 501 + i),
      );
    }

    const warnings: string[] = [];
    const replayed = openLog({ dataDir, maxMessagesPerRoom: 400, onWarning: (message) => warnings.push(message) });
    expect((await replayed.read('r3', 0)).messages.map((message) => message.id)).toEqual(Array.from({ length: 400 }, (_, i) => 501 + i));
    expect(warnings).toEqual([]);
  });
});
