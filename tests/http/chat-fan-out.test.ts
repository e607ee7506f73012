import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  // Every client here shares one loopback address: per-client limits off, as for any load test.
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
afterAll(() => server?.stop());

const path = '/api/chat/messages';
interface Message {
  id: number;
  text: string;
}

/** Polls from the empty room's cursor `0.0` until `count` messages have arrived; returns them in arrival order. */
async function listen(room: string, count: number): Promise<Message[]> {
  const received: Message[] = [];
  let cursor = '0.0';
  while (received.length < count) {
    const response = await fetch(server.url(`${path}?room=${room}&after=${cursor}`));
    const body = (await response.json()) as { messages: Message[]; cursor: string };
    received.push(...body.messages);
    cursor = body.cursor;
  }
  return received;
}

describe('chat under concurrency', () => {
  it('20 listeners × 5 concurrent posters × 20 messages: every listener gets all 100, in id order, once', async () => {
    const room = `fan-out-${Date.now().toString(36)}`;
    const listeners = Array.from({ length: 20 }, () => listen(room, 100));
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(20));

    const posters = Array.from({ length: 5 }, async (_, poster) => {
      for (let i = 0; i < 20; i++) {
        const response = await fetch(server.url(path), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: `poster ${poster} message ${i}`, room }),
        });
        expect(response.status).toBe(201);
      }
    });
    await Promise.all(posters);
    const results = await Promise.all(listeners);

    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    const texts = Array.from({ length: 5 }, (_, p) => Array.from({ length: 20 }, (_, i) => `poster ${p} message ${i}`)).flat();
    for (const received of results) {
      expect(received.map((message) => message.id)).toEqual(ids);
      expect(received.map((message) => message.text).sort()).toEqual([...texts].sort());
    }
    // Each poster's own messages arrive in the order it sent them.
    for (let p = 0; p < 5; p++) {
      const mine = results[0]!.map((message) => message.text).filter((text) => text.startsWith(`poster ${p} `));
      expect(mine).toEqual(Array.from({ length: 20 }, (_, i) => `poster ${p} message ${i}`));
    }
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(0));
  });

  it('100 clients that disconnect mid-poll leave 0 waiters', async () => {
    const room = `leavers-${Date.now().toString(36)}`;
    const clients = Array.from({ length: 100 }, () => new AbortController());
    const polls = clients.map((client) =>
      // The status and headers arrive at once; the body is what is held.
      fetch(server.url(`${path}?room=${room}&after=0.0`), { signal: client.signal })
        .then((response) => response.text())
        .catch((error: Error) => error.name),
    );
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(100));
    for (const client of clients) client.abort();
    expect(new Set(await Promise.all(polls))).toEqual(new Set(['AbortError']));
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(0));
  });
});
