import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const post = (text: string, room: string) =>
  fetch(server.url(api), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, room }),
  });
const read = async (room: string) => (await fetch(server.url(`${api}?room=${room}`))).json();

describe('chat across a restart', () => {
  it('keeps its history and continues its ids on the same data folder', async () => {
    for (const text of ['one', 'two', 'three']) expect((await post(text, 'restart-a')).status).toBe(201);
    await post('elsewhere', 'restart-b');
    await server.restart();

    const history = await read('restart-a');
    expect(history.cursor).toBe(3);
    expect(history.messages.map((message: { text: string }) => message.text)).toEqual(['one', 'two', 'three']);
    expect(await (await post('four', 'restart-a')).json()).toMatchObject({ id: 4, text: 'four' });
    expect(await (await post('again', 'restart-b')).json()).toMatchObject({ id: 2 });
    expect((await readGauges(server)).chatLastId).toBe(4);
  });

  it('starts despite a last line cut short by a crash, and appends cleanly after it', async () => {
    await post('before the crash', 'restart-c');
    const logFile = path.join(dataDir, 'chat-log.jsonl');
    await server.stop();
    appendFileSync(logFile, '{"id":2,"text":"half a li');
    server = await start();

    const history = await read('restart-c');
    expect(history.messages.map((message: { text: string }) => message.text)).toEqual(['before the crash']);
    expect(await (await post('after the crash', 'restart-c')).json()).toMatchObject({ id: 2 });
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).text)).toContain('after the crash');
    expect(server.output()).toContain('incomplete last line');
  });

  it('answers a poll held at shutdown with an empty list and its cursor, not a broken connection', async () => {
    await post('first', 'restart-d');
    const held = fetch(server.url(`${api}?room=restart-d&after=1`));
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(1));
    const restarting = server.restart();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ messages: [], cursor: 1 });
    await restarting;
  });
});
