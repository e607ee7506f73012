import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  // Many posts from one loopback address: per-client limits off here (chat-limits tests them).
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
afterAll(() => server?.stop());

const path = '/api/chat/messages';
let roomCounter = 0;
const uniqueRoom = () => `http-${process.pid}-${Date.now().toString(36)}-${roomCounter++}`;

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.url(path), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST and GET /api/chat/messages', () => {
  it('stores a message (201) and answers a poll that was waiting for it at once', async () => {
    const room = uniqueRoom();
    const waiting = fetch(server.url(`${path}?room=${room}&after=0.0`)); // default 25 s poll, on a room still empty
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBeGreaterThanOrEqual(1));
    const created = await post({ text: 'hello, poll', author: 'Ada', room });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const message = await created.json();
    expect(message).toEqual({ id: 1, epoch: expect.stringMatching(/^[a-z0-9]{8}$/), text: 'hello, poll', author: 'Ada', at: expect.any(Number), room });

    const answer = await waiting; // the message itself (below), not the empty answer of a timeout
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toEqual({ messages: [message], cursor: `${message.epoch}.1` });
  });

  it('sends the status and X-Poll-Timeout-Ms of a held poll at once, before its answer', async () => {
    const room = uniqueRoom();
    const client = new AbortController();
    const held = await fetch(server.url(`${path}?room=${room}&after=0.0`), { signal: client.signal }); // resolves on headers
    expect(held.status).toBe(200);
    expect(held.headers.get('x-poll-timeout-ms')).toBe('25000');
    await post({ text: 'now the body', room });
    expect(await held.json()).toMatchObject({ messages: [{ text: 'now the body' }] });
    const initial = await fetch(server.url(`${path}?room=${room}`));
    expect(initial.headers.get('x-poll-timeout-ms')).toBe('25000');
  });

  it('answers a bare integer from an older client, or a cursor of another incarnation, with a reset', async () => {
    const room = uniqueRoom();
    for (const text of ['a', 'b', 'c']) await post({ text, room });
    for (const after of ['3', 'zzzzzzzz.3']) {
      const answer = await (await fetch(server.url(`${path}?room=${room}&after=${after}&timeout=0`))).json();
      expect(answer).toMatchObject({ reset: true, messages: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] });
      expect(answer.cursor).toMatch(/^[a-z0-9]{8}\.3$/);
    }
  });

  it('answers a poll with news at once, and the initial load with the latest 50', async () => {
    const room = uniqueRoom();
    for (let i = 1; i <= 60; i++) expect((await post({ text: `m${i}`, room })).status).toBe(201);
    const initial = await (await fetch(server.url(`${path}?room=${room}`))).json();
    const epoch = initial.messages[0].epoch;
    expect(initial.cursor).toBe(`${epoch}.60`);
    expect(initial.messages.map((m: { id: number }) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    const later = await (await fetch(server.url(`${path}?room=${room}&after=${epoch}.57`))).json();
    expect(later).toMatchObject({ cursor: `${epoch}.60`, messages: [{ id: 58 }, { id: 59 }, { id: 60 }] });
    expect(later.gap).toBeUndefined();
    expect(later.reset).toBeUndefined();
  });

  it('says "gap": true when the cursor is older than what the room retains', async () => {
    const room = uniqueRoom();
    const senders = Array.from({ length: 10 }, (_, sender) =>
      (async () => {
        for (let i = 0; i < 52; i++) await post({ text: `s${sender}-${i}`, room });
      })(),
    );
    await Promise.all(senders); // 520 messages: the first 20 are no longer retained
    const { cursor } = await (await fetch(server.url(`${path}?room=${room}`))).json();
    const epoch = cursor.split('.')[0];
    const answer = await (await fetch(server.url(`${path}?room=${room}&after=${epoch}.5`))).json();
    expect(answer.gap).toBe(true);
    expect(answer.reset).toBeUndefined();
    expect(answer.cursor).toBe(`${epoch}.520`);
    expect(answer.messages).toHaveLength(500);
    expect(answer.messages[0].id).toBe(21);
  });

  it('answers empty with the same cursor when the poll times out; timeout=MS shortens it', async () => {
    const room = uniqueRoom();
    const { epoch } = await (await post({ text: 'one', room })).json();
    const startedAt = performance.now();
    const answer = await (await fetch(server.url(`${path}?room=${room}&after=${epoch}.1&timeout=300`))).json();
    const elapsed = performance.now() - startedAt;
    expect(answer).toEqual({ messages: [], cursor: `${epoch}.1` });
    expect(elapsed).toBeGreaterThanOrEqual(250); // held for the 300 ms asked (timers may fire a little early)
  });

  it('keeps rooms apart', async () => {
    const [a, b] = [uniqueRoom(), uniqueRoom()];
    await post({ text: 'in a', room: a });
    const inB = await (await fetch(server.url(`${path}?room=${b}&after=0.0&timeout=100`))).json();
    expect(inB).toEqual({ messages: [], cursor: '0.0' });
  });
});

describe('GET /api/chat/poll: one held request for several rooms', () => {
  const pollPath = '/api/chat/poll';

  it('loads rooms without a cursor at once, then holds one request until any followed room has news', async () => {
    const [a, b] = [uniqueRoom(), uniqueRoom()];
    await post({ text: 'in a', room: a });
    const first = await fetch(server.url(`${pollPath}?follow=${a}&follow=${b}`));
    expect(first.headers.get('x-poll-timeout-ms')).toBe('25000');
    const { rooms } = await first.json();
    expect(rooms[a]).toMatchObject({ messages: [{ text: 'in a' }] });
    expect(rooms[b]).toEqual({ messages: [], cursor: '0.0' });

    const held = await fetch(server.url(`${pollPath}?follow=${a}@${rooms[a].cursor}&follow=${b}@${rooms[b].cursor}`));
    expect(held.headers.get('x-poll-timeout-ms')).toBe('25000');
    await eventually(async () => expect((await readGauges(server)).chatHeldPolls).toBeGreaterThanOrEqual(1));
    await post({ text: 'in b', room: b });
    const news = (await held.json()).rooms;
    expect(news[b]).toMatchObject({ messages: [{ text: 'in b' }] });
    expect(news[a]).toEqual({ messages: [], cursor: rooms[a].cursor });
  });

  it.each(['', '?follow=', '?follow=a@x.y', '?follow=a&follow=a', '?follow=a&room=b', '?follow=a&timeout=x'])('GET %s gets 400', async (search) => {
    const response = await fetch(server.url(`${pollPath}${search}`));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual(expect.any(String));
  });
});

describe('bad input gets a 4xx with a JSON reason', () => {
  const expectJsonError = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body.error).toEqual(expect.any(String));
    return body.error as string;
  };
  const sameOrigin = () => ({ Origin: server.origin });

  it.each([
    ['malformed JSON', '{"text": "unfinished', 400],
    ['JSON that is not an object', '["text"]', 400],
    ['a missing text', '{"author": "Ada"}', 400],
    ['a text of spaces', '{"text": "   "}', 400],
    ['a text over 500 characters', JSON.stringify({ text: 'x'.repeat(501) }), 400],
    ['a number as text', '{"text": 12}', 400],
    ['an author over 40 characters', JSON.stringify({ text: 'hi', author: 'a'.repeat(41) }), 400],
    ['a bad room name', '{"text": "hi", "room": "No Spaces"}', 400],
    ['an unknown field', '{"text": "hi", "isAdmin": true}', 400],
    ['a body over 4 KiB', JSON.stringify({ text: 'x'.repeat(4_200) }), 413],
  ])('POST with %s', async (_, body, status) => {
    await expectJsonError(await post(body), status);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=iso-8859-1'])(
    'POST with Content-Type %s gets 415',
    async (type) => {
      // Same-origin, as a page of the site would send it (Astro itself answers cross-site form posts).
      await expectJsonError(await post('{"text": "hi"}', { ...sameOrigin(), 'Content-Type': type }), 415);
    },
  );

  it('POST from a page of another site gets 403', async () => {
    const error = await expectJsonError(await post({ text: 'hi' }, { Origin: 'https://evil.example' }), 403);
    expect(error).toContain('evil.example');
  });

  it('a body over 4 KiB sent in chunks, without Content-Length, gets 413', async () => {
    const url = new URL(server.url(path));
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path, method: 'POST', headers: { 'Content-Type': 'application/json' } },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body: text }));
        },
      );
      request.on('error', reject);
      request.write(`{"text": "${'x'.repeat(3_000)}`);
      request.write('x'.repeat(3_000)); // chunked: the server can only count
      request.end('"}');
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error).toEqual(expect.any(String));
  });

  it.each([
    '?after=-1',
    '?after=1.5x',
    '?after=abc',
    '?after=AB.1',
    '?after=a.-1',
    `?after=${'a'.repeat(17)}.1`,
    '?after=',
    '?timeout=-1',
    '?timeout=soon',
    '?room=Lobby',
    `?room=${'a'.repeat(33)}`,
    '?since=3',
    '?after=1&after=2',
  ])('GET %s gets 400', async (search) => {
    await expectJsonError(await fetch(server.url(`${path}${search}`)), 400);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('%s gets 405 with Allow', async (method) => {
    const response = await fetch(server.url(path), {
      method,
      headers: { 'Content-Type': 'application/json', ...sameOrigin() },
      body: '{}',
    });
    await expectJsonError(response, 405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});
