import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  // Default per-client limits; TRUST_PROXY lets each test act as distinct clients through X-Forwarded-For.
  server = await startTestServer({ env: { TRUST_PROXY: '1', MAX_WAITERS: '12' } });
});
afterAll(() => server?.stop());

const api = '/api/chat/messages';
const as = (client: string) => ({ 'X-Forwarded-For': client });

describe('chat limits', () => {
  it('past a burst of 10 messages one client gets 429 with Retry-After; another client is not affected', async () => {
    const send = (client: string) =>
      fetch(server.url(api), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...as(client) },
        body: JSON.stringify({ text: 'flood', room: 'limits-posts' }),
      });
    // Tokens come back at POSTS_PER_SECOND (5) while the posts are under way, so how many pass
    // depends on how long they took: at least the burst, at most the burst plus what was
    // earned meanwhile (measured here, so that a busy machine cannot make this fail).
    const startedAt = performance.now();
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const answer = await send('10.0.0.1');
      if (answer.status === 201) accepted += 1;
      else refused = answer;
    }
    const earned = Math.floor(((performance.now() - startedAt) / 1_000) * 5);
    expect(refused?.status).toBe(429);
    expect(accepted).toBeGreaterThanOrEqual(10);
    expect(accepted).toBeLessThanOrEqual(10 + earned);
    expect(refused!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await refused!.json()).error).toContain('too many messages');
    expect((await send('10.0.0.2')).status).toBe(201); // another client is not affected
  });

  it('more than 10 waiting requests from one client get 429; past MAX_WAITERS in all, 503; both with Retry-After', async () => {
    const abort = new AbortController();
    const hold = (client: string) =>
      fetch(server.url(`${api}?room=limits-waiters&after=0.0`), { headers: as(client), signal: abort.signal }).catch(
        () => undefined,
      );
    const held = Array.from({ length: 10 }, () => hold('10.0.1.1'));
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(10));

    const eleventh = await fetch(server.url(`${api}?room=limits-waiters&after=0.0`), { headers: as('10.0.1.1') });
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await eleventh.json()).error).toContain('waiting requests');

    held.push(hold('10.0.1.2'), hold('10.0.1.3')); // 12 in all: the server's whole allowance
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(12));
    const full = await fetch(server.url(`${api}?room=limits-waiters&after=0.0`), { headers: as('10.0.1.4') });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await full.json()).error).toEqual(expect.any(String));

    abort.abort();
    await Promise.all(held);
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(0));
    const again = await fetch(server.url(`${api}?room=limits-waiters&after=0.0&timeout=0`), { headers: as('10.0.1.4') });
    expect(again.status).toBe(200);
  });
});
