import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChatHandler } from '../../../../src/server/chat/chat-handler.ts';
import { LogReadOnlyError } from '../../../../src/server/chat/log-file.ts';
import { createMessageLog } from '../../../../src/server/chat/message-log.ts';
import type { MessageStore } from '../../../../src/server/chat/message-store.ts';
import { readConfig } from '../../../../src/server/config.ts';
import { errorResponse } from '../../../../src/server/http/http-error.ts';
import { createServerStats, type ServerStats } from '../../../../src/server/stats/server-stats.ts';

const ORIGIN = 'http://127.0.0.1:4321';
const URL_BASE = `${ORIGIN}/api/chat/messages`;
let stats: ServerStats;
afterEach(() => stats?.stop());

function setup(config: Partial<Parameters<typeof createChatHandler>[0]['config']> = {}, store: MessageStore = createMessageLog()) {
  stats = createServerStats();
  const chat = createChatHandler({
    store,
    stats,
    config: {
      ...readConfig({}), // the defaults an operator gets
      perClientLimits: true,
      maxChatWaiters: 100,
      maxChatWaitersPerClient: 10,
      pollTimeoutMs: 25_000,
      allowedOrigins: [],
      ...config,
    },
  });
  // The endpoint's handleErrors, inline: thrown HttpErrors become JSON responses.
  const run = (work: () => Promise<Response>) => work().catch(errorResponse);
  return {
    store,
    get: (search: string, client = 'client-a', signal?: AbortSignal) =>
      run(() => chat.handleGet(new Request(`${URL_BASE}${search}`, { signal }), client)),
    post: (init: RequestInit, client = 'client-a') =>
      run(() => chat.handlePost(new Request(URL_BASE, { method: 'POST', ...init }), client)),
    poll: (search: string, client = 'client-a', signal?: AbortSignal) =>
      run(() => chat.handleMultiPoll(new Request(`${ORIGIN}/api/chat/poll${search}`, { signal }), client)),
  };
}
const json = (body: unknown) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('chat handler', () => {
  it('stores a POSTed message and answers 201 with it; GET returns it, uncached', async () => {
    const { get, post } = setup();
    const created = await post(json({ text: 'hello', author: 'Ada', room: 'room-1' }));
    expect(created.status).toBe(201);
    const message = await created.json();
    expect(message).toEqual({ id: 1, epoch: expect.stringMatching(/^[a-z0-9]{8}$/), text: 'hello', author: 'Ada', at: expect.any(Number), room: 'room-1' });
    const read = await get('?room=room-1');
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.headers.get('x-poll-timeout-ms')).toBe('25000');
    expect(await read.json()).toEqual({ messages: [message], cursor: `${message.epoch}.1` });
  });

  it('holds a poll until the next message, and releases it when the client leaves', async () => {
    const { get, post, store } = setup();
    const waiting = await get('?after=0.0');
    expect(waiting.headers.get('x-poll-timeout-ms')).toBe('25000'); // known before the answer
    expect(store.counts.waiters).toBe(1);
    await post(json({ text: 'news' }));
    const answer = await waiting.json();
    expect(answer).toMatchObject({ messages: [{ id: 1, text: 'news' }] });
    expect(answer).not.toHaveProperty('reset');

    const client = new AbortController();
    const leaving = get(`?after=${answer.cursor}`, 'client-a', client.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    client.abort();
    await leaving;
    expect(store.counts.waiters).toBe(0);
  });

  it('lets timeout=MS shorten the poll but never lengthen it', async () => {
    vi.useFakeTimers();
    try {
      const { get } = setup({ pollTimeoutMs: 50 });
      const body = (await get('?after=0.0&timeout=9999999')).json();
      let answered = false;
      void body.then(() => (answered = true));
      await vi.advanceTimersByTimeAsync(49);
      expect(answered).toBe(false); // still held
      await vi.advanceTimersByTimeAsync(1); // the server's own timeout, not the 9999999 asked for
      expect(answered).toBe(true);
      expect(await body).toEqual({ messages: [], cursor: '0.0' });
      expect(await (await get('?after=0.0&timeout=0')).json()).toEqual({ messages: [], cursor: '0.0' });
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ['415 for another content type', { headers: { 'Content-Type': 'text/plain' }, body: '{"text":"x"}' }, 415],
    ['415 for JSON in another charset', { headers: { 'Content-Type': 'application/json; charset=latin1' }, body: '{}' }, 415],
    ['415 without a content type', { body: new Uint8Array([123, 125]) }, 415],
    ['413 for a declared large body', { headers: { 'Content-Type': 'application/json' }, body: `"${'x'.repeat(5000)}"` }, 413],
    ['400 for broken JSON', { headers: { 'Content-Type': 'application/json' }, body: '{"text": ' }, 400],
    ['400 for invalid UTF-8', { headers: { 'Content-Type': 'application/json' }, body: new Uint8Array([34, 0xff, 34]) }, 400],
    ['400 for an empty body', { headers: { 'Content-Type': 'application/json' }, body: '' }, 400],
    ['403 for a foreign origin', { headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: '{"text":"x"}' }, 403],
  ])('answers %s, with a JSON reason', async (_, init, status) => {
    const { post } = setup();
    const response = await post(init as RequestInit);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await response.json()).error).toEqual(expect.any(String));
  });

  it('counts the bytes of a streamed body, whatever Content-Length says', async () => {
    const { post } = setup();
    const chunk = new TextEncoder().encode(`"${'x'.repeat(1000)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await post({ headers: { 'Content-Type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(10); // it stopped reading once over the limit
  });

  it('accepts its own origin and listed origins', async () => {
    const { post } = setup({ allowedOrigins: ['https://lessons.example'] });
    for (const origin of [ORIGIN, 'https://lessons.example']) {
      const response = await post({ ...json({ text: 'hi' }), headers: { 'Content-Type': 'application/json', Origin: origin } });
      expect(response.status).toBe(201);
    }
  });

  it('limits messages per client: 10 at once, then 429 with Retry-After', async () => {
    const { post } = setup();
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await post(json({ text: `m${i}` }))).status);
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    const refused = await post(json({ text: 'again' }));
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await post(json({ text: 'other client' }), 'client-b')).status).toBe(201);
  });

  it('limits waiting requests per client (429) and in all (503), both with Retry-After', async () => {
    const { get } = setup({ maxChatWaitersPerClient: 2, maxChatWaiters: 3 });
    const client = new AbortController();
    const held = [get('?after=0.0', 'a', client.signal), get('?after=0.0', 'a', client.signal)];
    const third = await get('?after=0.0', 'a');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    held.push(get('?after=0.0', 'b', client.signal));
    const full = await get('?after=0.0', 'c');
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toMatch(/^\d+$/);
    client.abort();
    await Promise.all(held);
    expect((await get('?after=0.0&timeout=0', 'c')).status).toBe(200); // places were given back
  });

  it('lifts the per-client limits when they are turned off, keeping the total', async () => {
    const { get, post } = setup({ perClientLimits: false, maxChatWaitersPerClient: 1, maxChatWaiters: 3 });
    let last = '';
    for (let i = 0; i < 20; i++) {
      const response = await post(json({ text: `m${i}` }));
      expect(response.status).toBe(201);
      const { epoch, id } = await response.json();
      last = `${epoch}.${id}`;
    }
    const client = new AbortController();
    const held = [1, 2, 3].map(() => get(`?after=${last}`, 'a', client.signal));
    expect((await get(`?after=${last}`, 'a')).status).toBe(503);
    client.abort();
    await Promise.all(held);
  });

  it.each(['?after=-1', '?after=1.5x', '?after=abc', '?after=ABC.1', '?after=a.01', '?after=a.', '?after=.1', '?timeout=-5', '?room=UPPER', '?room=', '?cursor=3', '?after=1&after=2'])(
    'answers GET %s with 400',
    async (search) => {
      const { get } = setup();
      const response = await get(search);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual(expect.any(String));
    },
  );

  it('answers a bare integer or a cursor of another incarnation with a reset and the retained messages', async () => {
    const { get, post } = setup();
    await post(json({ text: 'one' }));
    for (const after of ['1', 'zzzz.1']) {
      expect(await (await get(`?after=${after}`)).json()).toMatchObject({ reset: true, messages: [{ text: 'one' }] });
    }
  });

  it('answers a client over its share of held polls at once when it has news: nobody behind one address starves', async () => {
    const { get, post } = setup({ maxChatWaitersPerClient: 1 });
    const created = await (await post(json({ text: 'first' }))).json();
    const client = new AbortController();
    const held = get(`?after=${created.epoch}.1`, 'a', client.signal);
    expect((await get(`?after=${created.epoch}.1`, 'a')).status).toBe(429); // nothing new: it would have to wait
    expect(await (await get(`?after=${created.epoch}.0`, 'a')).json()).toMatchObject({ messages: [{ text: 'first' }] });
    client.abort();
    await held;
  });

  describe('Idempotency-Key', () => {
    const keyed = (key: string, text: string) => ({ ...json({ text }), headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key } });

    it('stores a post once: a repeat answers 200 with the original, another text 422, a bad key 400', async () => {
      const { get, post } = setup();
      const first = await post(keyed('abc-1', 'hello'));
      expect(first.status).toBe(201);
      const repeat = await post(keyed('abc-1', 'hello'));
      expect(repeat.status).toBe(200);
      expect(await repeat.json()).toEqual(await first.json());
      const conflict = await post(keyed('abc-1', 'something else'));
      expect(conflict.status).toBe(422);
      expect((await conflict.json()).error).toMatch(/Idempotency-Key/);
      for (const bad of ['', 'has space', 'x'.repeat(65), 'ünï']) expect((await post(keyed(bad, 'hello'))).status).toBe(400);
      expect((await (await get('?room=lobby')).json()).messages).toHaveLength(1);
    });

    it('spends no rate-limit token on a repeat', async () => {
      const { post } = setup();
      expect((await post(keyed('once', 'm0'))).status).toBe(201);
      for (let i = 1; i < 10; i++) expect((await post(json({ text: `m${i}` }))).status).toBe(201);
      expect((await post(json({ text: 'over' }))).status).toBe(429); // the burst is spent
      expect((await post(keyed('once', 'm0'))).status).toBe(200); // a repeat still answers
    });
  });

  describe('multi-room poll', () => {
    it('loads rooms without a cursor at once, each with its own cursor', async () => {
      const { poll, post } = setup();
      await post(json({ text: 'in a', room: 'a' }));
      const response = await poll('?follow=a&follow=b');
      expect(response.headers.get('x-poll-timeout-ms')).toBe('25000');
      const { rooms } = await response.json();
      expect(rooms.a).toMatchObject({ messages: [{ text: 'in a' }], cursor: expect.stringMatching(/\.1$/) });
      expect(rooms.b).toEqual({ messages: [], cursor: '0.0' });
    });

    it('holds one place for every room and answers when any room has news', async () => {
      const { poll, post, store } = setup({ maxChatWaitersPerClient: 1 });
      const first = await (await post(json({ text: 'in a', room: 'a' }))).json();
      const waiting = await poll(`?follow=a@${first.epoch}.1&follow=b@0.0&follow=c@0.0`);
      expect(waiting.headers.get('x-poll-timeout-ms')).toBe('25000');
      expect(store.counts.waiters).toBe(3);
      expect((await poll('?follow=d@0.0')).status).toBe(429); // the one place is taken
      await post(json({ text: 'in b', room: 'b' }));
      const { rooms } = await waiting.json();
      expect(rooms.b).toMatchObject({ messages: [{ text: 'in b' }] });
      expect(rooms.a).toEqual({ messages: [], cursor: `${first.epoch}.1` });
      expect(rooms.c).toEqual({ messages: [], cursor: '0.0' });
      expect(store.counts.waiters).toBe(0);
      expect((await poll('?follow=d@0.0&timeout=0')).status).toBe(200); // the place was given back
    });

    it('answers every room empty with its cursor at the timeout, and leaves nothing when the client goes', async () => {
      const { poll, store } = setup({ pollTimeoutMs: 20 });
      expect(await (await poll('?follow=a@0.0&follow=b@0.0')).json()).toEqual({
        rooms: { a: { messages: [], cursor: '0.0' }, b: { messages: [], cursor: '0.0' } },
      });
      const client = new AbortController();
      const leaving = poll('?follow=a@0.0&timeout=60000', 'x', client.signal);
      client.abort();
      await leaving;
      expect(store.counts.waiters).toBe(0);
    });

    it.each(['', '?follow=', '?follow=A', '?follow=a@bad', '?follow=a&follow=a', `?${'follow=r&'.repeat(17)}`, '?follow=a&other=1', '?follow=a&timeout=-1'])(
      'answers %s with 400',
      async (search) => {
        const { poll } = setup();
        const distinct = search.includes('follow=r&') ? `?${Array.from({ length: 17 }, (_, i) => `follow=r${i}`).join('&')}` : search;
        expect((await poll(distinct)).status).toBe(400);
      },
    );
  });

  it('answers a post to a read-only log 503 with the reason, and keeps answering reads', async () => {
    const log = createMessageLog();
    const readOnly: MessageStore = {
      ...log,
      counts: log.counts,
      append: () => Promise.reject(new LogReadOnlyError('the chat log cannot be written (EROFS on its data folder)')),
    };
    const { get, post } = setup({}, readOnly);
    const refused = await post(json({ text: 'x' }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.json()).error).toMatch(/cannot be written/);
    expect((await get('?room=lobby')).status).toBe(200);
  });

  it('reports its gauges', async () => {
    const { post } = setup();
    await post(json({ text: 'one' }));
    await post(json({ text: 'two', room: 'room-2' }));
    expect(stats.snapshot().gauges).toMatchObject({ chatWaiters: 0, chatRooms: 2, chatMessages: 2, chatLastId: 1 });
  });
});
