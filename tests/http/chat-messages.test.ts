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
    const startedAt = performance.now();
    const waiting = fetch(server.url(`${path}?room=${room}&after=0`)); // default 25 s poll
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBeGreaterThanOrEqual(1));
    const created = await post({ text: 'hello, poll', author: 'Ada', room });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const message = await created.json();
    expect(message).toEqual({ id: 1, text: 'hello, poll', author: 'Ada', at: expect.any(Number), room });

    const answer = await waiting;
    expect(performance.now() - startedAt).toBeLessThan(5_000); // long before the 25 s timeout
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toEqual({ messages: [message], cursor: 1 });
  });

  it('answers a poll with news at once, and the initial load with the latest 50', async () => {
    const room = uniqueRoom();
    for (let i = 1; i <= 60; i++) expect((await post({ text: `m${i}`, room })).status).toBe(201);
    const initial = await (await fetch(server.url(`${path}?room=${room}`))).json();
    expect(initial.cursor).toBe(60);
    expect(initial.messages.map((m: { id: number }) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    const later = await (await fetch(server.url(`${path}?room=${room}&after=57`))).json();
    expect(later).toMatchObject({ cursor: 60, messages: [{ id: 58 }, { id: 59 }, { id: 60 }] });
    expect(later.gap).toBeUndefined();
  });

  it('says "gap": true when the cursor is older than what the room retains', async () => {
    const room = uniqueRoom();
    const senders = Array.from({ length: 10 }, (_, sender) =>
      (async () => {
        for (let i = 0; i < 52; i++) await post({ text: `s${sender}-${i}`, room });
      })(),
    );
    await Promise.all(senders); // 520 messages: the first 20 are no longer retained
    const answer = await (await fetch(server.url(`${path}?room=${room}&after=5`))).json();
    expect(answer.gap).toBe(true);
    expect(answer.cursor).toBe(520);
    expect(answer.messages).toHaveLength(500);
    expect(answer.messages[0].id).toBe(21);
  });

  it('answers empty with the same cursor when the poll times out; timeout=MS shortens it', async () => {
    const room = uniqueRoom();
    await post({ text: 'one', room });
    const startedAt = performance.now();
    const answer = await fetch(server.url(`${path}?room=${room}&after=1&timeout=300`));
    const elapsed = performance.now() - startedAt;
    expect(await answer.json()).toEqual({ messages: [], cursor: 1 });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('keeps rooms apart', async () => {
    const [a, b] = [uniqueRoom(), uniqueRoom()];
    await post({ text: 'in a', room: a });
    const inB = await (await fetch(server.url(`${path}?room=${b}&after=0&timeout=100`))).json();
    expect(inB).toEqual({ messages: [], cursor: 0 });
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
    '?after=1.5',
    '?after=abc',
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
