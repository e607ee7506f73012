import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES } from '../../src/server/socket/socket-protocol.ts';
import { startSocketTestServer, type SocketTestServer } from '../support/socket-test-server.ts';

// The chat over WebSocket against a real HTTP server and a real WebSocket client (`ws`), over an
// in-memory store that follows the MessageStore interface.

const servers: SocketTestServer[] = [];
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  for (const server of servers.splice(0)) await server.stop();
});

async function serve(options: Parameters<typeof startSocketTestServer>[0] = {}) {
  const server = await startSocketTestServer(options);
  servers.push(server);
  return server;
}

/** A client that records every frame it receives, so tests can await the n-th of a type. */
function connect(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, options);
  clients.push(ws);
  const frames: any[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    for (const listener of listeners) listener();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  /** Resolves with the first recorded frame that matches (already received or still to come). */
  const next = (match: (frame: any) => boolean) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const found = frames.find(match);
        if (found) {
          listeners.delete(check);
          resolve(found);
        }
      };
      listeners.add(check);
      check();
      closed.then(() => setImmediate(() => reject(new Error(`closed before a matching frame; got ${JSON.stringify(frames)}`))));
    });
  return { ws, frames, closed, next, opened: once(ws, 'open') };
}

function refusal(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, options);
  clients.push(ws);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_request, response: IncomingMessage) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
  });
}

describe('the chat socket upgrade', () => {
  it('answers a page of another origin with a JSON 403 before the upgrade (cross-site WebSocket hijacking)', async () => {
    const server = await serve();
    const answer = await refusal(`${server.socketUrl}?room=origin`, { origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatch(/evil\.example/);
  });

  it('accepts its own origin and origins listed in ALLOWED_ORIGINS', async () => {
    const server = await serve({ config: { allowedOrigins: ['https://chat.example'] } });
    for (const origin of [server.origin, 'https://chat.example']) {
      const client = connect(`${server.socketUrl}?room=origin-ok`, { origin });
      expect((await client.next((f) => f.type === 'position')).heartbeatMs).toBeGreaterThan(0);
    }
  });

  it('refuses a bad room, a bad cursor and unknown parameters with a JSON 400', async () => {
    const server = await serve();
    for (const query of ['room=Not%20Valid', 'room=ok&after=nope', 'room=ok&colour=red']) {
      const answer = await refusal(`${server.socketUrl}?${query}`);
      expect(answer.status, query).toBe(400);
      expect(typeof answer.body.error).toBe('string');
    }
  });

  it('answers another path with a JSON 404', async () => {
    const server = await serve();
    const answer = await refusal(server.socketUrl.replace('/api/chat/socket', '/api/chat/elsewhere'));
    expect(answer.status).toBe(404);
  });
});

describe('the chat socket protocol', () => {
  it('sends the position, then the latest messages, then news; a post is answered and reaches the others', async () => {
    const server = await serve();
    await server.store.append({ room: 'talk', text: 'before', author: 'a' });
    const reader = connect(`${server.socketUrl}?room=talk`);
    const writer = connect(`${server.socketUrl}?room=talk`);
    expect(await reader.next(() => true)).toMatchObject({ type: 'position' });
    const first = await reader.next((f) => f.type === 'messages');
    expect(first.messages.map((m: any) => m.text)).toEqual(['before']);
    await writer.next((f) => f.type === 'messages');

    writer.ws.send(JSON.stringify({ type: 'post', key: 'k1', text: ' hello ', author: 'w' }));
    const posted = await writer.next((f) => f.type === 'posted');
    expect(posted).toMatchObject({ key: 'k1', repeated: false, message: { text: 'hello', author: 'w', room: 'talk' } });
    const news = await reader.next((f) => f.type === 'messages' && f.messages.length > 0 && f !== first);
    expect(news.messages).toEqual([posted.message]);
    expect(news.cursor).toBe(`${posted.message.epoch}.${posted.message.id}`);
  });

  it('stores a post repeated with the same key once, and refuses the key with another text', async () => {
    const server = await serve();
    const client = connect(`${server.socketUrl}?room=keys`);
    await client.opened;
    client.ws.send(JSON.stringify({ type: 'post', key: 'same', text: 'once' }));
    const first = await client.next((f) => f.type === 'posted');
    client.ws.send(JSON.stringify({ type: 'post', key: 'same', text: 'once' }));
    const again = await client.next((f) => f.type === 'posted' && f !== first);
    expect(again).toMatchObject({ repeated: true, message: first.message });
    client.ws.send(JSON.stringify({ type: 'post', key: 'same', text: 'other' }));
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ key: 'same', error: expect.stringMatching(/already used/) });
    expect(server.store.counts.messages).toBe(1);
  });

  it('answers a text an HTTP post would refuse with an error message and keeps the connection', async () => {
    const server = await serve({ config: { messageMaxChars: 10 } });
    const client = connect(`${server.socketUrl}?room=long`);
    await client.opened;
    client.ws.send(JSON.stringify({ type: 'post', key: 'k', text: 'x'.repeat(11) }));
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ key: 'k', error: expect.stringMatching(/at most 10/) });
    client.ws.send(JSON.stringify({ type: 'post', key: 'k2', text: 'short' }));
    expect(await client.next((f) => f.type === 'posted')).toMatchObject({ key: 'k2' });
  });

  it('limits posts per client like HTTP posts, saying when to come back', async () => {
    const server = await serve({ config: { postsPerSecond: 1 } });
    const client = connect(`${server.socketUrl}?room=rate`);
    await client.opened;
    // A burst of 2, then refusals: 10 posts sent at once cannot all be refilled in time.
    for (let i = 0; i < 10; i += 1) client.ws.send(JSON.stringify({ type: 'post', key: `r${i}`, text: `m${i}` }));
    const refused = await client.next((f) => f.type === 'error');
    expect(refused.error).toMatch(/too many messages/);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1_000);
  });

  it('spends no rate token on a repeated post (same key, same text), as over HTTP', async () => {
    const server = await serve({ config: { postsPerSecond: 1 } }); // a burst of 2
    const client = connect(`${server.socketUrl}?room=rate-repeat`);
    await client.opened;
    const answers = (count: number) => client.next(() => client.frames.filter((f) => f.type === 'posted' || f.type === 'error').length >= count);
    for (let i = 0; i < 4; i += 1) client.ws.send(JSON.stringify({ type: 'post', key: 'same', text: 'once' }));
    client.ws.send(JSON.stringify({ type: 'post', key: 'second', text: 'twice' }));
    await answers(5);
    const replies = client.frames.filter((f) => f.type === 'posted' || f.type === 'error');
    expect(replies.map((f) => [f.type, f.key, f.repeated])).toEqual([
      ['posted', 'same', false],
      ['posted', 'same', true],
      ['posted', 'same', true],
      ['posted', 'same', true],
      ['posted', 'second', false], // the burst's second token: the repeats spent none
    ]);
  });

  it.each([
    ['invalid JSON', '{"type": "post",', CLOSE_CODES.invalidMessage, /not valid JSON/],
    ['an unknown type', '{"type": "subscribe"}', CLOSE_CODES.invalidMessage, /unknown message type/],
    ['a missing key', '{"type": "post", "text": "hi"}', CLOSE_CODES.invalidMessage, /"key"/],
    ['an unknown field', '{"type": "post", "key": "k", "text": "hi", "room": "other"}', CLOSE_CODES.invalidMessage, /unknown field/],
  ])('closes on %s with a code and a reason, and goes on serving others', async (_name, frame, code, reason) => {
    const server = await serve();
    const bad = connect(`${server.socketUrl}?room=bad`);
    const good = connect(`${server.socketUrl}?room=bad`);
    await Promise.all([bad.opened, good.opened]);
    bad.ws.send(frame);
    const closed = await bad.closed;
    expect(closed.code).toBe(code);
    expect(closed.reason).toMatch(reason);
    good.ws.send(JSON.stringify({ type: 'post', key: 'still', text: 'still here' }));
    expect(await good.next((f) => f.type === 'posted')).toMatchObject({ key: 'still' });
  });

  it('closes on a binary frame with 1003', async () => {
    const server = await serve();
    const client = connect(`${server.socketUrl}?room=binary`);
    await client.opened;
    client.ws.send(Buffer.from([1, 2, 3]));
    expect((await client.closed).code).toBe(CLOSE_CODES.unsupportedData);
  });

  it('closes on a frame larger than the body limit with 1009', async () => {
    const server = await serve({ config: { bodyMaxBytes: 512 } });
    const client = connect(`${server.socketUrl}?room=big`);
    await client.opened;
    client.ws.send(JSON.stringify({ type: 'post', key: 'big', text: 'x'.repeat(600) }));
    expect((await client.closed).code).toBe(CLOSE_CODES.tooBig);
    expect(server.store.counts.messages).toBe(0);
  });
});

describe('the chat socket limits', () => {
  it('closes a client over its share with 4429 after saying when to retry', async () => {
    const server = await serve({ limits: { maxPerClient: 2 } });
    const kept = [connect(`${server.socketUrl}?room=share`), connect(`${server.socketUrl}?room=share`)];
    await Promise.all(kept.map((client) => client.next((f) => f.type === 'position')));
    const third = connect(`${server.socketUrl}?room=share`);
    expect(await third.next((f) => f.type === 'error')).toMatchObject({ retryAfterMs: expect.any(Number) });
    expect((await third.closed).code).toBe(CLOSE_CODES.tooManyConnections);
    // A place freed is a place taken again.
    kept[0]!.ws.close();
    await kept[0]!.closed;
    await expect.poll(() => server.sockets().open).toBe(1);
    const fourth = connect(`${server.socketUrl}?room=share`);
    expect(await fourth.next((f) => f.type === 'position')).toBeTruthy();
  });

  it('closes everyone over the server total with 1013, even with per-client limits off', async () => {
    const server = await serve({ config: { perClientLimits: false }, limits: { maxTotal: 1 } });
    const first = connect(`${server.socketUrl}?room=full`);
    await first.next((f) => f.type === 'position');
    const second = connect(`${server.socketUrl}?room=full`);
    expect((await second.closed).code).toBe(CLOSE_CODES.tryAgainLater);
  });

  it('drops a peer that stops answering pings, after a heartbeat it could see', async () => {
    const server = await serve({ limits: { heartbeatMs: 100 } });
    const silent = connect(`${server.socketUrl}?room=pings`, { autoPong: false });
    expect(await silent.next((f) => f.type === 'heartbeat')).toBeTruthy();
    const closed = await silent.closed;
    expect(closed.code).toBe(CLOSE_CODES.heartbeatMissed);
    await expect.poll(() => server.sockets().open).toBe(0);
  });

  it('drops a client that stops reading once its unsent bytes pass the limit, and goes on serving others', async () => {
    const server = await serve({ limits: { maxBufferedBytes: 64 * 1024 } });
    const stalled = connect(`${server.socketUrl}?room=slow`);
    await stalled.next((f) => f.type === 'messages');
    stalled.ws.pause(); // stops reading its socket: the kernel's buffers fill, then the server's
    const text = 'x'.repeat(16_000); // the store takes any size: fewer, larger messages fill the buffers sooner
    let appended = 0;
    // Write until the server gives up on the stalled client (bounded: 4,000 messages are ~64 MB).
    while (server.sockets().open === 1 && appended < 4_000) {
      await server.store.append({ room: 'slow', text, author: 'flood' });
      appended += 1;
      if (appended % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await expect.poll(() => server.sockets().open, { timeout: 20_000 }).toBe(0);
    const next = connect(`${server.socketUrl}?room=other`);
    await next.opened;
    next.ws.send(JSON.stringify({ type: 'post', key: 'after-flood', text: 'still served' }));
    expect(await next.next((f) => f.type === 'posted')).toMatchObject({ key: 'after-flood' });
  });

  it('closes every socket with 1001 on shutdown and refuses new upgrades with 503', async () => {
    const server = await serve();
    const client = connect(`${server.socketUrl}?room=bye`);
    await client.next((f) => f.type === 'position');
    const stopping = server.stop();
    expect((await client.closed).code).toBe(CLOSE_CODES.goingAway);
    await stopping;
    servers.splice(servers.indexOf(server), 1);
  });
});

describe('resuming across a server restart', () => {
  it('resumes from the cursor with neither loss nor duplicates, and a re-sent post is stored once', async () => {
    const server = await serve();
    const first = connect(`${server.socketUrl}?room=resume`);
    await first.opened;
    for (const text of ['one', 'two']) {
      first.ws.send(JSON.stringify({ type: 'post', key: `key-${text}`, text }));
      await first.next((f) => f.type === 'posted' && f.key === `key-${text}`);
    }
    const seen = await first.next((f) => f.type === 'messages' && f.messages.some((m: any) => m.text === 'two'));
    const cursor = seen.cursor;

    await server.restart();
    expect((await first.closed).code).toBe(CLOSE_CODES.goingAway);
    // Written while the client was away.
    await server.store.append({ room: 'resume', text: 'three', author: 'x' });

    const again = connect(`${server.socketUrl}?room=resume&after=${cursor}`);
    const caughtUp = await again.next((f) => f.type === 'messages');
    expect(caughtUp.messages.map((m: any) => m.text)).toEqual(['three']);
    // The post whose answer was lost in the restart is sent again with its key: stored once.
    again.ws.send(JSON.stringify({ type: 'post', key: 'key-two', text: 'two' }));
    expect(await again.next((f) => f.type === 'posted')).toMatchObject({ repeated: true });
    expect(server.store.counts.messages).toBe(3);
  });

  it('answers a cursor of another room incarnation with a reset', async () => {
    const server = await serve();
    await server.store.append({ room: 'reborn', text: 'old', author: 'x' });
    const { cursor } = await server.store.read('reborn');
    server.store.resetRoom('reborn');
    await server.store.append({ room: 'reborn', text: 'new', author: 'x' });
    const client = connect(`${server.socketUrl}?room=reborn&after=${cursor}`);
    const reset = await client.next((f) => f.type === 'reset');
    expect(reset.messages.map((m: any) => m.text)).toEqual(['new']);
  });
});

describe('the page’s socket client against the real server', () => {
  it('shows every message exactly once across a server restart, resuming from its cursor', async () => {
    const { ChatSocketClient } = await import('../../src/client/socket/chat-socket-client.ts');
    const { Backoff } = await import('../../src/client/backoff.ts');
    const server = await serve();
    const shown: string[] = [];
    let notify = () => {};
    const client = new ChatSocketClient({
      url: server.socketUrl,
      room: 'page',
      backoff: new Backoff({ initialMs: 20, maxMs: 200 }),
      onMessages: (messages, { replace }) => {
        if (replace) shown.length = 0;
        shown.push(...messages.map((m) => m.text));
        notify();
      },
    });
    const shownAtLeast = (count: number) =>
      new Promise<void>((resolve) => {
        notify = () => shown.length >= count && resolve();
        notify();
      });
    client.start();
    try {
      await client.post('a');
      await client.post('b');
      await shownAtLeast(2);
      await server.restart();
      await server.store.append({ room: 'page', text: 'c', author: 'x' });
      await client.post('d'); // sent once the client is back
      await shownAtLeast(4);
      expect(shown).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      client.stop();
    }
  });
});
