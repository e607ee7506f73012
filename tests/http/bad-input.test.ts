import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  body,
  chatDraft,
  contentType,
  forwardedFor,
  hostHeader,
  hostileText,
  METHODS,
  origin,
  queryString,
  rawBytes,
} from '../support/bad-input-arbitraries.ts';
import { sendRaw, type RawOutcome } from '../support/raw-http.ts';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';
import { API_ROUTES } from '../../src/server/api-routes.ts';

/**
 * Throws malformed and hostile input at the real server, then checks that it is unharmed.
 * Every answer must be a 4xx with a JSON reason (or a 2xx to input that happens to be valid),
 * or the connection is cut off; never a 5xx, never a hang. Afterwards the server still
 * serves a round trip, holds nothing it should have let go of, and its log replays exactly
 * the messages it accepted.
 */

// Small limits, so that every one of them can be reached in a few requests.
const POLL_TIMEOUT_MS = 2_000;
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const ENV = {
  POLL_TIMEOUT_MS: String(POLL_TIMEOUT_MS),
  HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  TRUST_PROXY: '1', // X-Forwarded-For picks the client, so one test process can be many clients
  BODY_MAX_BYTES: '2048',
  MESSAGE_MAX_CHARS: '300',
  POSTS_PER_SECOND: '3',
  MAX_WAITERS: '12',
  MAX_WAITERS_PER_CLIENT: '3',
  MAX_CLOCK_STREAMS: '10',
  MAX_CLOCK_STREAMS_PER_CLIENT: '2',
  MAX_NAIVE_WAITERS: '14',
};
/** Longer than any answer may take: the poll timeout, plus a generous margin for a busy machine. */
const ANSWER_WITHIN_MS = POLL_TIMEOUT_MS + 1_500;
/** Random runs per property; each run sends a small batch of requests at once. */
const RUNS = 100;

interface ChatMessage {
  id: number;
  text: string;
  author: string;
  at: number;
  room: string;
}

let server: TestServer;
let port: number;
/** Every message the server acknowledged with 201: exactly what its log must replay. */
const accepted: ChatMessage[] = [];
const tally = new Map<string, number>();
const count = (outcome: string) => tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
const startedAt = performance.now();

/** Every API route of the site's one router, as a path: routes added later are covered too. */
const apiPaths = [...API_ROUTES.keys()];
/** The methods each route serves: the handlers it gives the route wrapper (GET, POST, HEAD). */
const routeMethods = new Map(
  [...API_ROUTES].map(([route, handlers]) => [route, (['GET', 'POST', 'HEAD'] as const).filter((name) => handlers[name] !== undefined) as string[]]),
);
const getPaths = apiPaths.filter((route) => routeMethods.get(route)!.includes('GET'));
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
/** Routes that change state: each must refuse a foreign Origin with 403. */
const writePaths = apiPaths.filter((route) => routeMethods.get(route)!.some((method) => WRITE_METHODS.includes(method)));
const anyPaths = [...apiPaths, '/api/nothing-here', '/api/chat', '/api/'];

beforeAll(async () => {
  server = await startTestServer({ env: ENV });
  port = Number(new URL(server.origin).port);
});

afterAll(async () => {
  await server?.stop();
  const seconds = ((performance.now() - startedAt) / 1_000).toFixed(1);
  const total = [...tally.values()].reduce((sum, n) => sum + n, 0);
  const lines = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, n]) => `  ${outcome}: ${n}`);
  console.info(`bad-input: ${total} requests in ${seconds} s\n${lines.join('\n')}`);
});

/**
 * The naive demo's wait is the one request that may legitimately outlast ANSWER_WITHIN_MS: it
 * is held until the file changes or its own 30 s cap. The test then leaves, as a client might.
 */
function mayBeHeld(url: URL | undefined): boolean {
  if (url?.pathname !== '/api/naive/backend') return false;
  const names = [...url.searchParams.keys()];
  if (names.some((name) => name !== 'msg' && name !== 'timestamp') || new Set(names).size !== names.length) return false;
  return (url.searchParams.get('msg') ?? '') === '';
}

/** Checks one answer to a fetch; records accepted chat messages. */
async function expectSafeAnswer(response: Response, method: string, url: URL): Promise<void> {
  const what = `${method} ${url.pathname}${url.search}`;
  const { status } = response;
  count(`${status}`);
  expect(status, what).toBeLessThan(500);
  const type = response.headers.get('content-type') ?? '';
  if (status >= 400) {
    expect(type, what).toMatch(/^application\/json/);
    if (method !== 'HEAD') expect((await response.json()).error, what).toEqual(expect.any(String));
    if (status === 429) expect(response.headers.get('retry-after'), what).toMatch(/^[1-9]\d*$/);
    if (status === 405) expect(response.headers.get('allow'), what).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  } else if (/^text\/(html|event-stream)/.test(type)) {
    await response.body?.cancel(); // a stream: leave, as a client closing its tab would
  } else {
    const text = await response.text();
    if (status === 201 && url.pathname === '/api/chat/messages') accepted.push(JSON.parse(text) as ChatMessage);
  }
}

interface FetchCase {
  path: string;
  query?: string;
  method?: string;
  headers?: Record<string, string | undefined>;
  body?: Uint8Array;
}

/** A write sent from another site's page must get exactly 403, whatever else is wrong with it. */
function expectedStatus({ path: route, method = 'GET', headers = {} }: FetchCase): number | undefined {
  const from = headers.Origin;
  const foreign = from !== undefined && from !== server.origin;
  const writes = WRITE_METHODS.includes(method) && (routeMethods.get(route) ?? []).includes(method);
  return foreign && writes ? 403 : undefined;
}

async function sendFetch(request: FetchCase): Promise<void> {
  const { path: route, query, method = 'GET', headers = {}, body: payload } = request;
  const url = new URL(`${server.origin}${route}${query === undefined ? '' : `?${query}`}`);
  const sent = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: sent,
      body: method === 'GET' || method === 'HEAD' || payload === undefined ? undefined : new Uint8Array(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    const expected = expectedStatus(request);
    if (expected !== undefined) expect(response.status, `${method} ${route} from ${headers.Origin}`).toBe(expected);
    await expectSafeAnswer(response, method, url);
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      expect(mayBeHeld(url), `no answer within ${ANSWER_WITHIN_MS} ms: ${method} ${url}`).toBe(true);
      count('held, then left (naive wait)');
      return;
    }
    // undici's "fetch failed": the server closed the connection (e.g. refusing an oversized upload).
    if ((error as Error).message === 'fetch failed') return void count('cut off');
    throw error;
  }
}

/** Checks what a raw socket got back. */
function expectSafeRawOutcome(outcome: RawOutcome, target: URL | undefined, what: string): void {
  if (outcome.hung) {
    expect(mayBeHeld(target), `no answer and no close within ${ANSWER_WITHIN_MS} ms: ${what}`).toBe(true);
    return void count('held, then left (naive wait)');
  }
  if (outcome.status === undefined) return void count('cut off');
  count(`${outcome.status}`);
  expect(outcome.status, what).toBeLessThan(500);
  // Pages answer a missing page with the site's HTML 404; everything else answers in JSON.
  const page = target !== undefined && !target.pathname.startsWith('/api/') && outcome.status === 404;
  if (outcome.status >= 400 && !page) {
    expect(outcome.headers['content-type'], what).toMatch(/^application\/json/);
    if (outcome.body !== '') expect(JSON.parse(outcome.body).error, what).toEqual(expect.any(String));
  }
}

const printable = (bytes: Uint8Array) => JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 200);

describe('bad input', () => {
  it('every API route is covered, and answers unknown paths and methods with JSON', () => {
    expect(apiPaths).toEqual(
      expect.arrayContaining(['/api/chat/messages', '/api/clock/frame', '/api/faults', '/api/stats']),
    );
    expect(getPaths).not.toContain('/api/faults');
    expect(writePaths).toEqual(expect.arrayContaining(['/api/chat/messages', '/api/faults', '/api/naive/load']));
  });

  it('random and malformed query strings on every GET route: 4xx with a reason, never 5xx, never a hang', async () => {
    const request = fc.record({ path: fc.constantFrom(...getPaths), query: queryString, client: forwardedFor });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (batch) => {
        await Promise.all(
          batch.map(({ path: route, query, client }) => sendFetch({ path: route, query, headers: { 'X-Forwarded-For': client } })),
        );
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('random methods, content types, origins and bodies (broken UTF-8, NUL, huge Unicode) on every route', async () => {
    const request = fc.record({
      path: fc.constantFrom(...anyPaths),
      method: fc.constantFrom(...METHODS),
      contentType,
      body,
      origin: origin(server.origin),
      client: forwardedFor,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (batch) => {
        await Promise.all(
          batch.map(({ path: route, method, contentType: type, body: payload, origin: from, client }) => {
            // An accepted load request starts 50 real waiters for 20 s: random runs always come from
            // a foreign page here; the burst test below covers the accepted path.
            const sender = route === '/api/naive/load' && (from === undefined || from === server.origin) ? 'https://evil.example' : from;
            return sendFetch({
              path: route,
              method,
              headers: { 'Content-Type': type, Origin: sender, 'X-Forwarded-For': client },
              body: payload,
            });
          }),
        );
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('chat messages with hostile fields (NUL, lone surrogates, huge Unicode, markup) and random origins', async () => {
    const request = fc.record({
      draft: chatDraft,
      origin: fc.oneof({ weight: 3, arbitrary: fc.constant(server.origin) }, { weight: 1, arbitrary: origin(server.origin) }),
      contentType: fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }),
      client: forwardedFor,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (batch) => {
        await Promise.all(
          batch.map(({ draft, origin: from, contentType: type, client }) =>
            sendFetch({
              path: '/api/chat/messages',
              method: 'POST',
              headers: { 'Content-Type': type, Origin: from, 'X-Forwarded-For': client },
              body: Buffer.from(JSON.stringify(draft)),
            }),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('raw requests with random bytes in the method, target and headers: a JSON 4xx or a closed connection', async () => {
    const target = fc.oneof(
      fc.tuple(fc.constantFrom(...anyPaths, '/', '/lessons/'), rawBytes).map(([route, tail]) => Buffer.concat([Buffer.from(`${route}?`), tail])),
      fc.tuple(fc.constantFrom(...anyPaths), rawBytes).map(([route, tail]) => Buffer.concat([Buffer.from(route), tail])),
      rawBytes,
      fc.constantFrom('*', 'http://evil.example/api/stats', '/api/%zz', '/api/chat/%C3%28', `/api/${'a'.repeat(20_000)}`).map((text) => Buffer.from(text)),
    );
    const request = fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD', 'get', 'DELETE').map((text) => Buffer.from(text)), rawBytes),
      target,
      headers: fc.array(
        fc.oneof(
          fc.tuple(rawBytes, rawBytes),
          fc.constantFrom(
            ['Expect', 'the-impossible'],
            ['Expect', '100-continue'],
            ['Transfer-Encoding', 'chunked'],
            ['Transfer-Encoding', 'gzip, chunked'],
            ['Content-Length', '-1'],
            ['Content-Length', '1e3'],
            ['Host', 'a second host'],
            ['Connection', 'upgrade'],
            ['Upgrade', 'websocket'],
          ).map(([name, value]) => [Buffer.from(name), Buffer.from(value)] as const),
        ),
        { maxLength: 3 },
      ),
      host: fc.oneof(fc.constant(`127.0.0.1:${port}`), hostileText, fc.constant(undefined)),
      body: fc.option(body, { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (batch) => {
        await Promise.all(
          batch.map(async ({ method, target: where, headers, host, body: payload }) => {
            const head = [
              Buffer.concat([method, Buffer.from(' '), where, Buffer.from(' HTTP/1.1\r\n')]),
              ...(host === undefined ? [] : [Buffer.from(`Host: ${host}\r\n`, 'utf8')]),
              ...headers.map(([name, value]) => Buffer.concat([name, Buffer.from(': '), value, Buffer.from('\r\n')])),
              Buffer.from(payload ? `Content-Length: ${payload.byteLength}\r\nContent-Type: application/json\r\n\r\n` : '\r\n'),
            ];
            const bytes = Buffer.concat([...head, ...(payload ? [payload] : [])]);
            const outcome = await sendRaw(port, [bytes], {
              timeoutMs: ANSWER_WITHIN_MS,
              head: method.toString('latin1') === 'HEAD',
            });
            let url: URL | undefined;
            try {
              url = new URL(where.toString('latin1'), server.origin);
            } catch {
              url = undefined;
            }
            expectSafeRawOutcome(outcome, url, printable(bytes));
          }),
        );
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('oversized headers get 431, oversized bodies 413 or a cut-off, even without Content-Length', async () => {
    const bigHeader = await sendRaw(port, [`GET /api/stats HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(bigHeader.status).toBe(431);
    expect(JSON.parse(bigHeader.body).error).toContain('headers');
    count('431');

    const chunked = (size: number) => `${size.toString(16)}\r\n${'x'.repeat(size)}\r\n`;
    const trickledChunks = await sendRaw(port, [
      'POST /api/chat/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      ...Array.from({ length: 8 }, () => chunked(1_000)),
      '0\r\n\r\n',
    ]);
    expectSafeRawOutcome(trickledChunks, undefined, 'chunked body over BODY_MAX_BYTES');
    if (trickledChunks.status !== undefined) expect(trickledChunks.status).toBe(413);

    await sendFetch({
      path: '/api/chat/messages',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.9.9.9' },
      body: Buffer.from(JSON.stringify({ text: 'x'.repeat(1024 * 1024) })),
    });
  });

  it.each([
    ['an empty Host', 'GET /api/faults? HTTP/1.1\r\nHost: \r\n\r\n'],
    ['no Host', 'GET /api/stats HTTP/1.1\r\n\r\n'],
    ['a target that is not a path', 'GET * HTTP/1.1\r\nHost: localhost\r\n\r\n'],
  ])('a request with %s gets a JSON 400', async (_, raw) => {
    const outcome = await sendRaw(port, [raw]);
    expect(outcome.status).toBe(400);
    expect(outcome.headers?.['content-type']).toMatch(/^application\/json/);
  });

  it('a Host that is not host[:port] gets a JSON 400, a host name not served a JSON 421; the Host never picks the route', async () => {
    // POST to /api/stats, which only reads: a Host carrying "/api/chat/messages#" once turned it into a chat post.
    const body = '{"text":"host","room":"bad-input-host"}';
    await fc.assert(
      fc.asyncProperty(hostHeader(port), async ({ value, verdict }) => {
        const outcome = await sendRaw(port, [
          `POST /api/stats HTTP/1.1\r\nHost: ${value}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${body.length}\r\nX-Forwarded-For: 10.6.0.1\r\n\r\n${body}`,
        ]);
        const expected = { malformed: 400, foreign: 421, served: 405 }[verdict];
        count(`${outcome.status} (Host)`);
        expect(outcome.status, `Host: ${JSON.stringify(value)}`).toBe(expected);
        expect(outcome.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(outcome.body).error).toEqual(expect.any(String));
      }),
      { numRuns: RUNS },
    );
    const room = await fetch(server.url('/api/chat/messages?room=bad-input-host'));
    expect((await room.json()).messages).toEqual([]);
  });

  it('two Host headers get a JSON 400, even when both are right', async () => {
    const outcome = await sendRaw(port, [`GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: 127.0.0.1:${port}\r\n\r\n`]);
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.body).error).toContain('more than one Host');
  });

  it.each([
    ['a body', ['POST /api/chat/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n', ...'{"text":"slow...'], 300, REQUEST_TIMEOUT_MS],
    ['its headers', [...'GET /api/stats HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'z'.repeat(40)], 100, HEADERS_TIMEOUT_MS],
  ] as const)('a client trickling %s is cut off with a 408 after its timeout', async (_, parts, pauseMs, limitMs) => {
    const outcome = await sendRaw(port, parts, { pauseMs, timeoutMs: limitMs + 3_000 });
    expect(outcome.hung).toBe(false);
    expectSafeRawOutcome(outcome, undefined, `trickle ${_}`);
    if (outcome.status !== undefined) expect(outcome.status).toBe(408);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(limitMs - 100);
    expect(outcome.elapsedMs).toBeLessThan(limitMs + 2_000);
  });

  it('clients that open a poll, a wait, a frame or a stream and vanish leave nothing held', async () => {
    const held = [
      '/api/chat/messages?room=bad-input-vanish&after=0.0',
      '/api/naive/backend?timestamp=9999999999',
      '/api/clock/frame',
      ...(apiPaths.includes('/api/chat/events') ? ['/api/chat/events?room=bad-input-vanish'] : []),
    ];
    await Promise.all(
      held.flatMap((target, index) =>
        [1, 2].map((copy) =>
          sendRaw(port, [`GET ${target} HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 10.7.${index}.${copy}\r\n\r\n`], {
            vanishAfterMs: 150,
          }),
        ),
      ),
    );
    count('vanished');
    await expectNothingHeld();
  });

  describe('bursts past every limit get 429 or 503, with Retry-After and a reason', () => {
    const fromClient = (client: string, extra: Record<string, string> = {}) => ({ 'X-Forwarded-For': client, ...extra });
    const post = (client: string, text: string, room = 'bad-input-burst') =>
      fetch(server.url('/api/chat/messages'), {
        method: 'POST',
        headers: fromClient(client, { 'Content-Type': 'application/json' }),
        body: JSON.stringify({ text, room }),
      });

    async function expectRefusal(response: Response, status: 429 | 503, reason: RegExp) {
      count(`${response.status} (burst)`);
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await response.json()).error).toMatch(reason);
    }

    it('messages: POSTS_PER_SECOND=3 allows a burst of 6; body and length limits come from the environment', async () => {
      // Tokens come back at 3 a second while the burst is under way: at most the burst plus
      // what was earned in the time measured here, so a busy machine cannot fail this.
      const startedAt = performance.now();
      const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => post('10.8.0.1', `burst ${i}`)));
      while (answers.every((answer) => answer.status === 201) && answers.length < 200) answers.push(await post('10.8.0.1', 'more'));
      const earned = Math.floor(((performance.now() - startedAt) / 1_000) * 3);
      const taken = answers.filter((answer) => answer.status === 201);
      for (const answer of taken) accepted.push((await answer.json()) as ChatMessage);
      expect(taken.length).toBeGreaterThanOrEqual(6); // the burst
      expect(taken.length).toBeLessThanOrEqual(6 + earned);
      expect(taken.length).toBeLessThan(answers.length);
      for (const answer of answers.filter((answer) => answer.status !== 201)) await expectRefusal(answer, 429, /too many messages/);

      const long = await post('10.8.0.2', 'y'.repeat(301));
      expect(long.status).toBe(400);
      expect((await long.json()).error).toContain('at most 300');
      const large = await post('10.8.0.3', 'z'.repeat(2_100));
      expect(large.status).toBe(413);
    });

    it('chat polls: 3 per client (429), 12 in all (503)', async () => {
      const abort = new AbortController();
      const hold = (client: string) =>
        fetch(server.url('/api/chat/messages?room=bad-input-burst-polls&after=0.0'), {
          headers: fromClient(client),
          signal: abort.signal,
        }).catch(() => undefined);
      const clients = ['10.8.1.1', '10.8.1.2', '10.8.1.3', '10.8.1.4'];
      const polls = clients.flatMap((client) => [hold(client), hold(client), hold(client)]);
      await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(12));
      await expectRefusal(await fetch(server.url('/api/chat/messages?room=x&after=0.0'), { headers: fromClient('10.8.1.1') }), 429, /waiting requests/);
      await expectRefusal(await fetch(server.url('/api/chat/messages?room=x&after=0.0'), { headers: fromClient('10.8.1.9') }), 503, /waiting requests/);
      abort.abort();
      await Promise.all(polls);
    });

    it('clock frames: 2 per client (429), 10 in all (503)', async () => {
      const abort = new AbortController();
      const open = async (client: string) => {
        const response = await fetch(server.url('/api/clock/frame'), { headers: fromClient(client), signal: abort.signal });
        expect(response.status).toBe(200);
      };
      await Promise.all(['1', '2', '3', '4', '5'].flatMap((n) => [open(`10.8.2.${n}`), open(`10.8.2.${n}`)]));
      await expectRefusal(await fetch(server.url('/api/clock/frame'), { headers: fromClient('10.8.2.1') }), 429, /clock frames/);
      await expectRefusal(await fetch(server.url('/api/clock/frame'), { headers: fromClient('10.8.2.9') }), 503, /clock frames/);
      abort.abort();
    });

    it('naive waits: 10 per client (429), 14 in all (503)', async () => {
      const abort = new AbortController();
      const wait = (client: string) =>
        fetch(server.url('/api/naive/backend?timestamp=9999999999'), { headers: fromClient(client), signal: abort.signal }).catch(
          () => undefined,
        );
      const waits = [...Array.from({ length: 10 }, () => wait('10.8.3.1')), ...Array.from({ length: 4 }, () => wait('10.8.3.2'))];
      await eventually(async () => expect((await readGauges(server)).naiveWaiters).toBe(14));
      await expectRefusal(await fetch(server.url('/api/naive/backend?timestamp=9999999999'), { headers: fromClient('10.8.3.1') }), 429, /waiting requests/);
      await expectRefusal(await fetch(server.url('/api/naive/backend?timestamp=9999999999'), { headers: fromClient('10.8.3.9') }), 503, /waiting requests/);
      abort.abort();
      await Promise.all(waits);
    });

    it.each([
      { name: 'polls of the counter', target: '/api/polling/counter', method: 'GET', burst: 10, reason: /too many polls/ },
      { name: 'naive writes by GET', target: '/api/naive/backend?msg=burst', method: 'GET', burst: 10, reason: /too many messages/ },
      { name: 'fault requests', target: '/api/faults', method: 'POST', burst: 5, reason: /too many faults/ },
    ])('$name: a burst of $burst, then 429', async ({ target, method, burst, reason }) => {
      const client = `10.8.4.${burst}${method.length}`;
      const send = () =>
        fetch(server.url(target), {
          method,
          headers: fromClient(client, { 'Content-Type': 'application/json' }),
          body: method === 'POST' ? JSON.stringify({ tab: 'badinput0001', fault: 'fail-next-poll' }) : undefined,
        });
      const answers = await Promise.all(Array.from({ length: burst + 3 }, send));
      const refused = answers.filter((answer) => answer.status >= 300);
      expect(answers.length - refused.length).toBeGreaterThanOrEqual(burst);
      expect(refused.length).toBeGreaterThan(0);
      for (const answer of refused) await expectRefusal(answer, 429, reason);
    });
  });

  it('afterwards: a normal round trip works, and nothing is held', async () => {
    const poll = fetch(server.url('/api/chat/messages?room=bad-input-after&after=0.0&timeout=5000'));
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(1));
    const sent = await fetch(server.url('/api/chat/messages'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.origin },
      body: JSON.stringify({ room: 'bad-input-after', text: 'still here' }),
    });
    expect(sent.status).toBe(201);
    accepted.push((await sent.json()) as ChatMessage);
    const answer = (await (await poll).json()) as { messages: ChatMessage[] };
    expect(answer.messages.map((message) => message.text)).toEqual(['still here']);
    await expectNothingHeld();
    expect(server.output()).not.toMatch(/Unexpected error|internal error/i);
  });

  it('the naive load burst (one running batch per client, then 429); after a restart the log replays exactly the accepted messages', async () => {
    const load = () =>
      fetch(server.url('/api/naive/load'), { method: 'POST', headers: { Origin: server.origin, 'X-Forwarded-For': '10.8.5.1' } });
    const answers = await Promise.all(Array.from({ length: 6 }, load));
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(6 - refused.length).toBe(1);
    for (const answer of refused) {
      count('429 (burst)');
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }

    await server.restart(); // the shutdown also ends the idle waiters the burst started
    expect(accepted.length).toBeGreaterThan(6);
    const rooms = [...new Set(accepted.map((message) => message.room))];
    for (const room of rooms) {
      const response = await fetch(server.url(`/api/chat/messages?room=${room}`));
      const { messages } = (await response.json()) as { messages: ChatMessage[] };
      const expected = accepted.filter((message) => message.room === room).sort((a, b) => a.id - b.id);
      expect(messages, `room ${room}`).toEqual(expected);
    }
    const logged = readFileSync(path.join(server.dataDir, 'chat-log.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ChatMessage);
    const byRoomAndId = (a: ChatMessage, b: ChatMessage) => a.room.localeCompare(b.room) || a.id - b.id;
    expect(logged.sort(byRoomAndId)).toEqual([...accepted].sort(byRoomAndId));
  });
});

async function expectNothingHeld(): Promise<void> {
  await eventually(async () => {
    const gauges = await readGauges(server);
    expect(gauges.chatWaiters).toBe(0);
    expect(gauges.clockStreams).toBe(0);
    expect(gauges.naiveWaiters).toBe(0);
    if ('sseStreams' in gauges) expect(gauges.sseStreams).toBe(0);
  });
}
