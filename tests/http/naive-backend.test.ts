import { utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

describe('POST /api/naive/load', () => {
  // A server of its own per test, so no test sees the idle waiters of another (they run 20 s).
  // Per-client limits on, as in production; X-Forwarded-For makes each visitor a client of its own.
  let loadServer: TestServer;
  beforeEach(async () => {
    loadServer = await startTestServer({ env: { TRUST_PROXY: '1', MAX_NAIVE_WAITERS: '120' } });
  });
  afterEach(() => loadServer?.stop());

  /** As the lesson page sends it: a same-origin POST without a body. */
  const postLoad = (visitor: string) =>
    fetch(loadServer.url('/api/naive/load'), {
      method: 'POST',
      headers: { Origin: loadServer.origin, 'X-Forwarded-For': visitor },
    });
  const loadStatCallsPerSecond = async () =>
    ((await (await fetch(loadServer.url('/api/stats'))).json()) as { ratesPerSecond: Record<string, number> }).ratesPerSecond
      .naiveStatCalls!;

  it('makes the server hold 50 idle waiters of its own, which look at the file too', async () => {
    const response = await postLoad('10.0.0.1');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ added: 50, held: 50, limit: 120, holdSeconds: 20 });
    expect((await readGauges(loadServer)).naiveIdleWaiters).toBe(50);
    await eventually(async () => expect(await loadStatCallsPerSecond()).toBeGreaterThan(50 * 20), { timeoutMs: 5_000 });
  });

  it('runs one batch per visitor: a second one while the first runs is a 429 with Retry-After', async () => {
    expect((await postLoad('10.0.0.1')).status).toBe(200);
    const again = await postLoad('10.0.0.1');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(19);
    expect((await again.json()).error).toMatch(/still running/);
    expect((await readGauges(loadServer)).naiveIdleWaiters).toBe(50);
  });

  it('counts idle waiters against MAX_NAIVE_WAITERS: a smaller last batch, then a 503 with a JSON reason', async () => {
    expect(await (await postLoad('10.0.0.1')).json()).toMatchObject({ added: 50, held: 50 });
    expect(await (await postLoad('10.0.0.2')).json()).toMatchObject({ added: 50, held: 100 });
    expect(await (await postLoad('10.0.0.3')).json()).toMatchObject({ added: 20, held: 120 });
    const refused = await postLoad('10.0.0.4');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.json()).error).toMatch(/120 naive waits/);
    // A visitor's own wait finds no place either: the button cannot push the total past the setting.
    const wait = await fetch(loadServer.url('/api/naive/backend?timestamp=0'), { headers: { 'X-Forwarded-For': '10.0.0.5' } });
    expect(wait.status).toBe(503);
    expect((await readGauges(loadServer)).naiveIdleWaiters).toBe(120);
  });
});
