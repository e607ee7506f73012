import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const arm = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url('/api/faults'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const poll = (tab: string) =>
  fetch(server.url('/api/chat/messages?room=faults&after=0.0&timeout=100'), { headers: { 'X-Comet-Tab': tab } });

describe('POST /api/faults (reconnection lesson)', () => {
  it("fails the arming tab's next poll with a 503 and Retry-After, and no other tab's", async () => {
    expect((await arm({ tab: 'tabaaaaaaa1', fault: 'fail-next-poll' })).status).toBe(202);
    expect((await poll('tabbbbbbbb1')).status).toBe(200);
    const failed = await poll('tabaaaaaaa1');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('2');
    expect((await failed.json()).error).toMatch(/on purpose/);
    expect((await poll('tabaaaaaaa1')).status).toBe(200);
  });

  it.each([
    [{ tab: 'short', fault: 'fail-next-poll' }, 400],
    [{ tab: 'tabaaaaaaa2', fault: 'explode' }, 400],
    [{ tab: 'tabaaaaaaa2', fault: 'fail-next-poll', extra: 1 }, 400],
    [['tabaaaaaaa2'], 400],
  ])('refuses %j with %i and a JSON reason', async (body, status) => {
    const response = await arm(body);
    expect(response.status).toBe(status);
    expect((await response.json()).error).toEqual(expect.any(String));
  });

  it('refuses another site, other content types and other methods', async () => {
    const foreign = await arm({ tab: 'tabaaaaaaa3', fault: 'fail-next-poll' }, { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const text = await fetch(server.url('/api/faults'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=latin1', Origin: server.origin },
      body: '{}',
    });
    expect(text.status).toBe(415);
    const get = await fetch(server.url('/api/faults'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
