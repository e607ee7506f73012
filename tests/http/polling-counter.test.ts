import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('GET /api/polling/counter', () => {
  it('answers the value, when it last changed and the server time, uncached', async () => {
    const before = Date.now();
    const response = await fetch(server.url('/api/polling/counter'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body).toEqual({ value: expect.any(Number), changedAt: expect.any(Number), serverTime: expect.any(Number) });
    expect(body.changedAt).toBeLessThanOrEqual(body.serverTime);
    expect(Math.abs(body.serverTime - before)).toBeLessThan(5_000); // same machine, same clock
  });

  it('answers a 400 with a JSON reason to query parameters', async () => {
    const response = await fetch(server.url('/api/polling/counter?since=1'));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/unknown query parameter/);
  });

  it('answers a client that polls far faster than the widget ever does with a 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30 && !statuses.includes(429); i++) {
      statuses.push((await fetch(server.url('/api/polling/counter'))).status);
    }
    expect(statuses).toContain(429);
    expect(statuses[0]).toBe(200);
  });
});
