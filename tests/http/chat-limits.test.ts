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
  it('more than 10 messages at once from one client get 429 with Retry-After', async () => {
    const send = (client: string) =>
      fetch(server.url(api), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...as(client) },
        body: JSON.stringify({ text: 'flood', room: 'limits-posts' }),
      });
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await send('10.0.0.1')).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const refused = await send('10.0.0.1');
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await refused.json()).error).toContain('too many messages');
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
