import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnswerDroppingRelay, type AnswerDroppingRelay } from '../support/answer-dropping-relay.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let relay: AnswerDroppingRelay;
beforeAll(async () => {
  // One post per second (a burst of 2): the filler posts below empty the bucket long before it refills.
  // Each test posts as its own client (X-Forwarded-For, trusted here), so their buckets stay apart.
  server = await startTestServer({ env: { POSTS_PER_SECOND: '1', TRUST_PROXY: '1' } });
  relay = await startAnswerDroppingRelay(server.origin, { dropPosts: 1 });
});
afterAll(async () => {
  await relay?.close();
  await server?.stop();
});

const api = '/api/chat/messages';
const clients = new Map<string, string>();
/** One client address per room, so each test has a token bucket of its own. */
const clientOf = (room: string) => clients.get(room) ?? clients.set(room, `10.9.0.${clients.size + 1}`).get(room)!;
const post = (origin: string, room: string, text: string, key?: string) =>
  fetch(`${origin}${api}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Connection: 'close',
      'X-Forwarded-For': clientOf(room),
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body: JSON.stringify({ room, text }),
  });
const history = async (room: string) => (await (await fetch(server.url(`${api}?room=${room}`))).json()).messages as { text: string }[];

describe('exactly-once posting with Idempotency-Key', () => {
  it('stores a post once when its answer was lost and the client retried with the same key', async () => {
    const room = 'idempotent-relay';
    await expect(post(relay.origin, room, 'sent once', 'retry-me-1')).rejects.toThrow(); // stored, answer lost
    expect(relay.dropped).toBe(1);
    const retried = await post(relay.origin, room, 'sent once', 'retry-me-1');
    expect(retried.status).toBe(200); // a repeat: the original message
    expect(await retried.json()).toMatchObject({ id: 1, text: 'sent once' });
    expect((await history(room)).map((message) => message.text)).toEqual(['sent once']);
  });

  it('answers the same key with another text 422, and an invalid key 400', async () => {
    const room = 'idempotent-conflict';
    expect((await post(server.origin, room, 'first', 'k-2')).status).toBe(201);
    expect((await post(server.origin, room, 'first', 'k-2')).status).toBe(200);
    const conflict = await post(server.origin, room, 'second', 'k-2');
    expect(conflict.status).toBe(422);
    expect((await conflict.json()).error).toMatch(/Idempotency-Key/);
    for (const bad of ['with space', 'x'.repeat(65), 'a/b']) {
      const response = await post(server.origin, room, 'third', bad);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(/Idempotency-Key/);
    }
    expect((await history(room)).map((message) => message.text)).toEqual(['first']);
  });

  it('spends no rate-limit token on a repeat: a retry is answered even when the bucket is empty', async () => {
    const room = 'idempotent-limit';
    expect((await post(server.origin, room, 'keyed', 'k-3')).status).toBe(201);
    let status = 201;
    for (let i = 0; i < 200 && status === 201; i++) status = (await post(server.origin, room, `filler ${i}`)).status;
    expect(status).toBe(429); // the bucket is empty now
    expect((await post(server.origin, room, 'keyed', 'k-3')).status).toBe(200);
  });
});
