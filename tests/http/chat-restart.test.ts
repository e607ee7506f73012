import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

// The test owns the data folder, so it can edit the log while no server runs.
const dataDir = mkdtempSync(path.join(tmpdir(), 'comet-lessons-chat-restart-'));
const start = () => startTestServer({ dataDir, env: { RATE_LIMITS: 'off' } });
let server: TestServer;
beforeAll(async () => {
  server = await start();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const api = '/api/chat/messages';
const post = (text: string, room: string, headers: Record<string, string> = {}) =>
  fetch(server.url(api), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ text, room }),
  });
const read = async (room: string, after?: string) =>
  (await fetch(server.url(`${api}?room=${room}${after === undefined ? '' : `&after=${after}&timeout=0`}`))).json();
const logFile = path.join(dataDir, 'chat-log.jsonl');

describe('chat across a restart', () => {
  it('keeps its history and continues its ids on the same data folder', async () => {
    for (const text of ['one', 'two', 'three']) expect((await post(text, 'restart-a')).status).toBe(201);
    await post('elsewhere', 'restart-b');
    await server.restart();

    const history = await read('restart-a');
    const epoch = history.messages[0].epoch;
    expect(history.cursor).toBe(`${epoch}.3`);
    expect(history.messages.map((message: { text: string }) => message.text)).toEqual(['one', 'two', 'three']);
    // A clean restart is not a reset: a client's cursor resumes.
    expect(await read('restart-a', `${epoch}.2`)).toEqual({ messages: [history.messages[2]], cursor: `${epoch}.3` });
    expect(await (await post('four', 'restart-a')).json()).toMatchObject({ id: 4, epoch, text: 'four' });
    expect(await (await post('again', 'restart-b')).json()).toMatchObject({ id: 2 });
    expect((await readGauges(server)).chatLastId).toBe(4);
  });

  it('keeps the incarnation across a crash (kill -9): cursors resume, ids continue', async () => {
    const { epoch } = await (await post('before', 'restart-k')).json();
    await server.restart({ crash: true });
    expect(await read('restart-k', `${epoch}.1`)).toEqual({ messages: [], cursor: `${epoch}.1` });
    expect(await (await post('after', 'restart-k')).json()).toMatchObject({ id: 2, epoch });
  });

  it('answers old cursors with a reset after a restart on an empty or a replaced data folder', async () => {
    const { epoch } = await (await post('old', 'restart-e')).json();
    await server.stop();
    const saved = `${logFile}.saved`;
    copyFileSync(logFile, saved);
    rmSync(logFile); // an empty data folder
    server = await start();
    expect(await read('restart-e', `${epoch}.1`)).toMatchObject({ reset: true, messages: [] });
    const fresh = await (await post('new', 'restart-e')).json();
    expect(fresh.id).toBe(1);
    expect(fresh.epoch).not.toBe(epoch);

    await server.stop();
    copyFileSync(saved, logFile); // a replaced one: the old file back in place of the new
    rmSync(saved);
    server = await start();
    expect(await read('restart-e', `${fresh.epoch}.1`)).toMatchObject({ reset: true, messages: [{ text: 'old', epoch }] });
  });

  it('loses only a damaged line: later lines replay, ids go on, the damage is reported once with its line', async () => {
    for (const text of ['one', 'two', 'three']) await post(text, 'restart-g');
    await server.stop();
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const damaged = lines.findIndex((line) => JSON.parse(line).room === 'restart-g' && JSON.parse(line).text === 'two');
    lines[damaged] = 'garbage';
    writeFileSync(logFile, `${lines.join('\n')}\n`);
    server = await start();
    const history = await read('restart-g');
    expect(history.messages.map((message: { text: string }) => message.text)).toEqual(['one', 'three']);
    expect(await (await post('four', 'restart-g')).json()).toMatchObject({ id: 4 });
    expect(server.output()).toContain(`(line ${damaged + 1})`);
    expect(server.output().match(/damaged line/g)).toHaveLength(1);
  });

  it('answers a retried post with the same Idempotency-Key with the original, also after a restart', async () => {
    const key = { 'Idempotency-Key': 'restart-key-1' };
    const first = await post('once only', 'restart-i', key);
    expect(first.status).toBe(201);
    const message = await first.json();
    await server.restart();
    const again = await post('once only', 'restart-i', key);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(message);
    expect((await post('another text', 'restart-i', key)).status).toBe(422);
    expect((await read('restart-i')).messages).toHaveLength(1);
  });

  it('starts despite a last line cut short by a crash, and appends cleanly after it', async () => {
    await post('before the crash', 'restart-c');
    await server.stop();
    appendFileSync(logFile, '{"id":2,"text":"half a li');
    server = await start();

    const history = await read('restart-c');
    expect(history.messages.map((message: { text: string }) => message.text)).toEqual(['before the crash']);
    expect(await (await post('after the crash', 'restart-c')).json()).toMatchObject({ id: 2, epoch: history.messages[0].epoch });
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).text)).toContain('after the crash');
    expect(server.output()).toContain('incomplete last line');
  });

  it('answers a poll held at shutdown with an empty list and its cursor, not a broken connection', async () => {
    const { epoch } = await (await post('first', 'restart-d')).json();
    const held = fetch(server.url(`${api}?room=restart-d&after=${epoch}.1`));
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(1));
    const restarting = server.restart();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ messages: [], cursor: `${epoch}.1` });
    await restarting;
  });
});
