import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../../../../src/server/http/http-error.ts';
import { createRateLimiter } from '../../../../src/server/limits/rate-limiter.ts';
import { createNaiveBackend, NAIVE_MESSAGE_MAX_CHARS } from '../../../../src/server/naive/naive-backend.ts';
import { createServerStats, type ServerStats } from '../../../../src/server/stats/server-stats.ts';
import { createFakeNaiveFileSystem } from '../../../support/fake-naive-file-system.ts';

const ORIGIN = 'http://127.0.0.1';
let stats: ServerStats;

type FakeFiles = ReturnType<typeof createFakeNaiveFileSystem>;

function setUp({
  burst = 100,
  maxWaiters = 100,
  perClientLimits = false,
  before = (_files: FakeFiles) => {},
}: { burst?: number; maxWaiters?: number; perClientLimits?: boolean; before?: (files: FakeFiles) => void } = {}) {
  const files = createFakeNaiveFileSystem();
  before(files); // e.g. a disk that fails from the start
  const shutdown = new AbortController();
  const backend = createNaiveBackend({
    dataDir: '/data',
    stats,
    writeLimiter: createRateLimiter({ perSecond: 1, burst }),
    maxWaiters,
    perClientLimits,
    shutdownSignal: shutdown.signal,
    fs: files.fs,
  });
  /** Calls the handler as the endpoint does: thrown HttpErrors become JSON responses. */
  const get = async (search: string, { signal, client = 'alice' }: { signal?: AbortSignal; client?: string } = {}) => {
    try {
      return await backend.handleNaiveBackend(new Request(`${ORIGIN}/api/naive/backend${search}`, { signal }), client);
    } catch (error) {
      return errorResponse(error);
    }
  };
  const send = async (msg: string, client = 'alice') => {
    const response = await get(`?msg=${encodeURIComponent(msg)}`, { client });
    expect(response.status).toBe(204);
  };
  /** Starts a wait and records its answer as soon as it arrives. */
  const waitFrom = (timestamp: number, options: { signal?: AbortSignal; client?: string } = {}) => {
    const state: { status?: number; body?: { msg: string | null; timestamp: number } } = {};
    void get(`?timestamp=${timestamp}`, options).then(async (response) => {
      state.body = await response.json();
      state.status = response.status;
    });
    return state;
  };
  return { files, backend, get, send, waitFrom, shutdown };
}

const gauge = (name: string) => stats.snapshot().gauges[name];

describe('the naive backend', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000); // second 1000
    stats = createServerStats();
  });
  afterEach(() => {
    stats.stop();
    vi.useRealTimers();
  });

  it('creates its data file on start, so a first wait has something to look at', async () => {
    const { files } = setUp();
    await vi.advanceTimersByTimeAsync(0);
    expect(files.fileNames()).toEqual(['/data/naive-chat.txt']);
  });

  it('answers a waiter with the message once it is written, and not before', async () => {
    const { send, waitFrom } = setUp();
    const waiter = waitFrom(1_000);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(waiter.body).toBeUndefined();
    expect(gauge('naiveWaiters')).toBe(1);

    await send('hello');
    await vi.advanceTimersByTimeAsync(10);
    expect(waiter).toEqual({ status: 200, body: { msg: 'hello', timestamp: 1_001 } });
    expect(gauge('naiveWaiters')).toBe(0);
  });

  it('loses a message that a second write overwrites before any waiter looks', async () => {
    const { send, waitFrom } = setUp();
    const waiter = waitFrom(1_000);
    await vi.advanceTimersByTimeAsync(1_003);
    await send('from Ann');
    await send('from Bob'); // within the same 10 ms sleep: the file now holds only Bob's
    await vi.advanceTimersByTimeAsync(10);
    expect(waiter.body).toEqual({ msg: 'from Bob', timestamp: 1_001 });
  });

  it('loses a second message written in the same whole second', async () => {
    const { send, waitFrom } = setUp();
    await vi.advanceTimersByTimeAsync(1_100); // second 1001
    await send('first');
    const first = waitFrom(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(first.body).toEqual({ msg: 'first', timestamp: 1_001 });

    // The client asks again with its new timestamp; 300 ms later, still second 1001, another message.
    const next = waitFrom(first.body!.timestamp);
    await vi.advanceTimersByTimeAsync(300);
    await send('second');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(next.body).toBeUndefined(); // "second" is never delivered

    await send('third'); // second 1006: only a later write wakes the waiter, and it overwrote "second"
    await vi.advanceTimersByTimeAsync(10);
    expect(next.body).toEqual({ msg: 'third', timestamp: 1_006 });
  });

  it('answers with the unchanged timestamp and no message after 30 s', async () => {
    const { waitFrom } = setUp();
    const waiter = waitFrom(1_000);
    await vi.advanceTimersByTimeAsync(29_990);
    expect(waiter.body).toBeUndefined();
    await vi.advanceTimersByTimeAsync(20);
    expect(waiter).toEqual({ status: 200, body: { msg: null, timestamp: 1_000 } });
  });

  it('releases a waiter whose client leaves, and stops looking at the file', async () => {
    const { files, waitFrom } = setUp();
    const clients = Array.from({ length: 3 }, () => new AbortController());
    clients.forEach((client) => waitFrom(1_000, { signal: client.signal }));
    await vi.advanceTimersByTimeAsync(100);
    expect(gauge('naiveWaiters')).toBe(3);

    clients.forEach((client) => client.abort());
    await vi.advanceTimersByTimeAsync(0);
    expect(gauge('naiveWaiters')).toBe(0);
    const looks = files.statCalls;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(files.statCalls).toBe(looks);
  });

  it('answers every waiter at once when the server shuts down', async () => {
    const { waitFrom, shutdown } = setUp();
    const waiter = waitFrom(1_000);
    await vi.advanceTimersByTimeAsync(50);
    shutdown.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(waiter.body).toEqual({ msg: null, timestamp: 1_000 });
  });

  it('counts every look at the file in the naiveStatCalls rate', async () => {
    const { waitFrom } = setUp();
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) waitFrom(1_000, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(2_000);
    const perSecond = stats.snapshot().ratesPerSecond.naiveStatCalls!;
    expect(perSecond).toBeGreaterThan(250);
    expect(perSecond).toBeLessThanOrEqual(303);
    controller.abort();
  });

  it('refuses a message longer than the cap, and writes nothing', async () => {
    const { get, waitFrom } = setUp();
    const waiter = waitFrom(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const response = await get(`?msg=${'x'.repeat(NAIVE_MESSAGE_MAX_CHARS + 1)}`);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/at most 200 characters/);
    await vi.advanceTimersByTimeAsync(100);
    expect(waiter.body).toBeUndefined();
  });

  it('limits how fast one client may write', async () => {
    const { get, send } = setUp({ burst: 2 });
    await send('one');
    await send('two');
    const third = await get('?msg=three');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    await send('from someone else', 'bob');
  });

  it('holds at most maxWaiters waits and refuses the next with a 503', async () => {
    const { get, waitFrom } = setUp({ maxWaiters: 2 });
    const controller = new AbortController();
    waitFrom(1_000, { signal: controller.signal });
    waitFrom(1_000, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(0);
    const refused = await get('?timestamp=1000', { client: 'carol' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toEqual(expect.any(String));
    controller.abort();
  });

  it.each(['?timestamp=-1', '?timestamp=soon', '?timestamp=1&timestamp=2', '?callback=x', '?timestamp=99999999999'])(
    'answers %s with a 400 and a JSON reason',
    async (search) => {
      const { get } = setUp();
      const response = await get(search);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual(expect.any(String));
    },
  );

  it('keeps an idle waiter waiting after a change, until it is released', async () => {
    const { backend, files, send } = setUp();
    const release = new AbortController();
    let done = false;
    void backend.holdIdleWaiter(release.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_500);
    await send('news'); // an idle browser would get this and ask again at once
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toBe(false);
    const looks = files.statCalls;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(files.statCalls - looks).toBeGreaterThan(90);

    release.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });

  describe('when the file system fails', () => {
    let logged: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
      logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    });
    afterEach(() => logged.mockRestore());

    it('answers 503 with Retry-After while it cannot prepare its file, and tries again on the next request', async () => {
      const { files, get } = setUp({ before: (files) => files.fail('mkdir', 'EACCES') });
      await vi.advanceTimersByTimeAsync(0);
      for (let i = 0; i < 2; i++) {
        const refused = await get('?timestamp=0');
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect((await refused.json()).error).toMatch(/data file/);
      }
      expect(logged).toHaveBeenCalledOnce(); // not once per request

      files.fail('mkdir', undefined); // the operator fixed the folder: no restart needed
      const answer = await get('?timestamp=0');
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ msg: '', timestamp: 1_000 });
    });

    it('answers a write that fails with 503, logged once, and works again once the disk does', async () => {
      const { files, get, send } = setUp();
      await vi.advanceTimersByTimeAsync(0);
      files.fail('writeFile', 'ENOSPC');
      expect((await get('?msg=one')).status).toBe(503);
      expect((await get('?msg=two')).status).toBe(503);
      expect(logged).toHaveBeenCalledOnce();
      files.fail('writeFile', undefined);
      await send('three');
    });

    it('answers a waiter with 503 when the message cannot be read', async () => {
      const { files, send, waitFrom } = setUp();
      const waiter = waitFrom(1_000);
      await vi.advanceTimersByTimeAsync(1_500);
      files.fail('readFile', 'EIO');
      await send('unreadable');
      await vi.advanceTimersByTimeAsync(20);
      expect(waiter.status).toBe(503);
      expect(gauge('naiveWaiters')).toBe(0);
    });
  });

  it("counts idle waiters against maxWaiters, beside the visitors' waits", async () => {
    const { backend, get, waitFrom } = setUp({ maxWaiters: 3 });
    const release = new AbortController();
    void backend.holdIdleWaiter(release.signal);
    void backend.holdIdleWaiter(release.signal);
    expect(backend.freeWaiterPlaces()).toBe(1);
    const visitor = new AbortController();
    waitFrom(1_000, { signal: visitor.signal });
    await vi.advanceTimersByTimeAsync(0);
    expect(gauge('naiveWaiters')).toBe(1); // the visitors' own; the idle ones have their own gauge
    expect((await get('?timestamp=1000', { client: 'bob' })).status).toBe(503);

    release.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.freeWaiterPlaces()).toBe(2);
    visitor.abort();
  });
});
