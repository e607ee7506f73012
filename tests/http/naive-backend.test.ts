import { utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  // Per-client limits off: these tests hold many waits from one loopback address.
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
afterAll(() => server?.stop());

/** A second long past, so that any write from now on is "newer". */
const PAST_SECOND = 1_000_000_000;

function backend(search: string, init?: RequestInit) {
  return fetch(server.url(`/api/naive/backend${search}`), init);
}

/** Sets the data file's time back, as if the last message were old. */
function ageDataFile() {
  utimesSync(path.join(server.dataDir, 'naive-chat.txt'), PAST_SECOND, PAST_SECOND);
}

async function statCallsPerSecond(): Promise<number> {
  const response = await fetch(server.url('/api/stats'));
  return ((await response.json()) as { ratesPerSecond: Record<string, number> }).ratesPerSecond.naiveStatCalls!;
}

/** Starts `count` waits that nothing will answer soon; abort the controller to end them. */
function holdWaits(count: number, controller: AbortController) {
  for (let i = 0; i < count; i++) {
    backend('?timestamp=9999999999', { signal: controller.signal }).catch(() => {});
  }
}

describe('GET /api/naive/backend', () => {
  it('creates the data file on start and answers a first wait with what it holds', async () => {
    const response = await backend('?timestamp=0');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ msg: '', timestamp: expect.any(Number) });
  });

  it('hands a written message to a waiting client', async () => {
    ageDataFile();
    const waiting = backend(`?timestamp=${PAST_SECOND}`);
    await eventually(async () => expect((await readGauges(server)).naiveWaiters).toBe(1));

    const write = await backend(`?msg=${encodeURIComponent('hello from the http test')}`);
    expect(write.status).toBe(204);
    const answer = await (await waiting).json();
    expect(answer.msg).toBe('hello from the http test');
    expect(answer.timestamp).toBeGreaterThan(PAST_SECOND);
    expect(answer.timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1_000));
  });

  it('releases the waits of clients that disconnect', async () => {
    const clients = new AbortController();
    holdWaits(20, clients);
    await eventually(async () => expect((await readGauges(server)).naiveWaiters).toBe(20));
    clients.abort();
    await eventually(async () => expect((await readGauges(server)).naiveWaiters).toBe(0));
  });

  it('looks at the file more often the more clients wait', async () => {
    await eventually(async () => expect(await statCallsPerSecond()).toBe(0), { timeoutMs: 5_000 });

    const few = new AbortController();
    holdWaits(3, few);
    const withFew = await eventually(async () => {
      const rate = await statCallsPerSecond();
      expect(rate).toBeGreaterThan(0);
      return rate;
    });

    const many = new AbortController();
    holdWaits(27, many);
    await eventually(async () => expect(await statCallsPerSecond()).toBeGreaterThan(withFew * 2), { timeoutMs: 5_000 });
    few.abort();
    many.abort();
    await eventually(async () => expect((await readGauges(server)).naiveWaiters).toBe(0));
  });

  it.each(['?timestamp=-5', '?timestamp=later', '?msg=a&msg=b', '?room=x', `?msg=${'y'.repeat(201)}`])(
    'answers %s with a 400 and a JSON reason',
    async (search) => {
      const response = await backend(search);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await response.json()).error).toEqual(expect.any(String));
    },
  );
});

/** As the lesson page sends it: a same-origin POST without a body. */
function postLoad() {
  return fetch(server.url('/api/naive/load'), { method: 'POST', headers: { Origin: server.origin } });
}

describe('POST /api/naive/load', () => {
  it('makes the server hold 50 idle waiters of its own, which look at the file too', async () => {
    const response = await postLoad();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ added: 50, limit: 500, holdSeconds: 20 });
    expect((await readGauges(server)).naiveIdleWaiters).toBe(50);
    await eventually(async () => expect(await statCallsPerSecond()).toBeGreaterThan(50 * 20), { timeoutMs: 5_000 });
  });

  it('refuses more than 500 held at once with a 503 and a JSON reason', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 10; i++) {
      last = await postLoad();
      if (last.status !== 200) break;
    }
    expect(last!.status).toBe(503);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await last!.json()).error).toMatch(/500 idle waiters/);
    expect((await readGauges(server)).naiveIdleWaiters).toBe(500);
  });
});
