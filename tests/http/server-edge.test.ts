import http from 'node:http';
import net from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../support/raw-http.ts';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer({ env: { POLL_TIMEOUT_MS: '20000', TRUST_PROXY: 'on' } });
  port = Number(new URL(server.origin).port);
});
afterAll(() => server?.stop());

/**
 * Every GET route, with a query that makes its GET valid; `held` when GET waits for news, and
 * then `quick`: the same route asked not to wait (its headers are the same).
 */
const GET_ROUTES = [
  { path: '/api/stats', held: false, quick: '/api/stats' },
  { path: '/api/polling/counter', held: false, quick: '/api/polling/counter' },
  { path: '/api/chat/messages?room=edge-head', held: false, quick: '/api/chat/messages?room=edge-head' },
  { path: '/api/chat/messages?room=edge-head&after=0.0', held: true, quick: '/api/chat/messages?room=edge-head&after=0.0&timeout=0' },
  { path: '/api/chat/events?room=edge-head', held: true, quick: '/api/chat/events?room=edge-head' },
  { path: '/api/clock/frame', held: true, quick: '/api/clock/frame' },
  { path: '/api/naive/backend?timestamp=9999999999', held: true, quick: '/api/naive/backend?timestamp=0' },
];

/** Sends raw bytes, then half-closes (shutdown of the sending side), and reads until the server closes. */
function sendThenHalfClose(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

const POST_BODY = '{"text":"half","room":"edge-half"}';
const HELD_GAUGES = ['chatWaiters', 'sseStreams', 'clockStreams', 'naiveWaiters'] as const;
/** Nothing is held: every gauge of held requests is back to 0. */
const nothingHeld = async () => {
  const gauges = await readGauges(server);
  expect(HELD_GAUGES.map((name) => gauges[name])).toEqual(HELD_GAUGES.map(() => 0));
};

describe('methods', () => {
  it.each(['TRACE', 'CONNECT'])('%s gets a JSON 501 and no stack in the log', async (method) => {
    const before = server.output().length;
    const target = method === 'CONNECT' ? 'localhost:443' : '/api/stats';
    const outcome = await sendRaw(port, [`${method} ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`]);
    expect(outcome.status).toBe(501);
    expect(outcome.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(outcome.body).error).toContain(method);
    expect(server.output().slice(before)).toBe('');
  });

  it.each(['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'OPTIONS'])('%s on an API route gets a JSON 405 naming the methods it serves', async (method) => {
    const outcome = await sendRaw(port, [`${method} /api/chat/messages HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n`]);
    expect(outcome.status).toBe(405);
    expect(outcome.headers.allow).toBe('GET, HEAD, POST');
    expect(JSON.parse(outcome.body).error).toContain(method);
  });

  it('a write to a page gets a JSON 405', async () => {
    const response = await fetch(server.url('/'), { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect((await response.json()).error).toEqual(expect.any(String));
  });
});

describe('HEAD (RFC 9110 §9.3.2)', () => {
  it.each(GET_ROUTES)('HEAD $path answers at once with the headers of GET and no body', async ({ path, held, quick }) => {
    const outcome = await sendRaw(port, [`HEAD ${path} HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 10.1.1.1\r\n\r\n`], { head: true });
    expect(outcome.status).toBe(200);
    const abort = new AbortController();
    const get = await fetch(server.url(quick), { signal: abort.signal });
    expect(outcome.headers['content-type']).toBe(get.headers.get('content-type'));
    expect(outcome.headers['cache-control']).toBe(get.headers.get('cache-control'));
    expect(outcome.headers['x-frame-options']).toBe(get.headers.get('x-frame-options'));
    if (path.startsWith('/api/chat/messages')) expect(outcome.headers['x-poll-timeout-ms']).toBe('20000');
    abort.abort();
    if (held) expect(outcome.body).toBe('');
  });

  it('HEAD holds nothing and changes nothing: the naive demo writes only on GET', async () => {
    const marker = `head-${process.pid}`;
    const heads = await Promise.all(
      GET_ROUTES.filter(({ held }) => held).map(({ path }) => sendRaw(port, [`HEAD ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`], { head: true })),
    );
    expect(heads.map(({ status }) => status)).toEqual(heads.map(() => 200));
    await nothingHeld();
    await sendRaw(port, [`HEAD /api/naive/backend?msg=${marker} HTTP/1.1\r\nHost: localhost\r\n\r\n`], { head: true });
    const file = await (await fetch(server.url('/api/naive/backend?timestamp=0'))).json();
    expect(JSON.stringify(file)).not.toContain(marker);
  });
});

describe('half-closed clients', () => {
  it.each([
    ['GET /api/stats', 'GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
    ['GET /', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
    ['GET a held chat poll', 'GET /api/chat/messages?room=edge-half&after=0.0 HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
    ['GET a naive wait', 'GET /api/naive/backend?timestamp=9999999999 HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
    ['GET the clock frame', 'GET /api/clock/frame HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
    ['GET the event stream', 'GET /api/chat/events?room=edge-half HTTP/1.1\r\nHost: localhost\r\n\r\n', 200],
    [
      'POST a chat message',
      `POST /api/chat/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${POST_BODY.length}\r\n\r\n${POST_BODY}`,
      201,
    ],
  ] as const)('%s, then a half-close: a complete answer, then the connection closes', async (_, request, status) => {
    const received = await sendThenHalfClose(request);
    expect(received.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    const [head, ...rest] = received.split('\r\n\r\n');
    const body = rest.join('\r\n\r\n');
    const length = /\r\ncontent-length: (\d+)/i.exec(head!)?.[1];
    if (length !== undefined) expect(Buffer.byteLength(body, 'latin1')).toBe(Number(length));
    else expect(body.endsWith('0\r\n\r\n')).toBe(true); // chunked: the last chunk arrived
    await eventually(nothingHeld);
  });
});

describe('clients that leave while held', () => {
  it('a client that half-closes long after its poll began gets the poll answered at once', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (received += chunk));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /api/chat/messages?room=edge-late-half&after=0.0 HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 10.3.0.1\r\n\r\n');
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(1));
    socket.end();
    await closed;
    expect(received.startsWith('HTTP/1.1 200 ')).toBe(true);
    expect(received.endsWith('0\r\n\r\n')).toBe(true);
    await eventually(nothingHeld);
  });

  it('200 polls whose clients close their connections are all released', async () => {
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const requests = Array.from({ length: 200 }, (_, i) => {
      const request = http.request({
        host: '127.0.0.1',
        port,
        path: `/api/chat/messages?room=edge-leave-${i % 7}&after=0.0`,
        headers: { 'X-Forwarded-For': `10.4.${i}.1` },
        agent,
      });
      request.on('error', () => {});
      request.end();
      return request;
    });
    await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(200), { timeoutMs: 15_000 });
    for (const request of requests) request.destroy();
    await eventually(nothingHeld, { timeoutMs: 15_000 });
  });
});

describe('what clients cause stays out of the log', () => {
  it('1,000 requests reset by their clients add under 10 KiB to the log', async () => {
    const before = server.output().length;
    const targets = ['/api/stats', '/api/chat/messages?room=edge-reset&after=0.0', '/', '/api/chat/messages'];
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const target = targets[i % targets.length]!;
          const method = target === '/api/chat/messages' ? 'POST' : 'GET';
          const request = `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te`;
          return new Promise<void>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => socket.write(request, () => socket.resetAndDestroy()));
            socket.on('close', () => resolve());
            socket.on('error', () => {});
          });
        }),
      );
    }
    expect((await fetch(server.url('/api/stats'))).status).toBe(200);
    const added = server.output().length - before;
    expect(added).toBeLessThan(10 * 1024);
    expect(server.output().slice(before)).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('host names (DNS rebinding)', () => {
  it.each(['evil.example', 'evil.example:4321', '192.168.1.20'])('a loopback server answers Host %s with a JSON 421', async (host) => {
    const outcome = await sendRaw(port, [`GET /api/stats HTTP/1.1\r\nHost: ${host}\r\n\r\n`]);
    expect(outcome.status).toBe(421);
    expect(JSON.parse(outcome.body).error).toContain('ALLOWED_HOSTS');
  });

  it.each(['localhost', `localhost:${0}`, '127.0.0.1', '[::1]:8080'])('and serves Host %s', async (host) => {
    const outcome = await sendRaw(port, [`GET /api/stats HTTP/1.1\r\nHost: ${host}\r\n\r\n`]);
    expect(outcome.status).toBe(200);
  });

  it('ALLOWED_HOSTS names the host names served', async () => {
    const named = await startTestServer({ env: { ALLOWED_HOSTS: 'comet.example, 127.0.0.1' } });
    try {
      const namedPort = Number(new URL(named.origin).port);
      expect((await sendRaw(namedPort, ['GET /api/stats HTTP/1.1\r\nHost: comet.example:8080\r\n\r\n'])).status).toBe(200);
      expect((await sendRaw(namedPort, ['GET /api/stats HTTP/1.1\r\nHost: Comet.Example\r\n\r\n'])).status).toBe(200);
      expect((await sendRaw(namedPort, ['GET /api/stats HTTP/1.1\r\nHost: evil.example\r\n\r\n'])).status).toBe(421);
    } finally {
      await named.stop();
    }
  }, 30_000);
});

describe('compression (precompressed at build time)', () => {
  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('pages and assets go out as %s to a client that accepts it, and decode to the same bytes', async (coding, decode) => {
    const plain = await sendRawBytes('/', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const packed = await sendRawBytes('/', `${coding}`);
    expect(packed.headers['content-encoding']).toBe(coding);
    expect(packed.headers.vary).toMatch(/Accept-Encoding/i);
    expect(packed.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(packed.body.byteLength).toBeLessThan(plain.body.byteLength);
    expect(decode(packed.body).equals(plain.body)).toBe(true);
    const refused = await sendRawBytes('/', `${coding};q=0, identity`);
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it.each(GET_ROUTES)('$path is never compressed', async ({ quick }) => {
    const abort = new AbortController();
    const response = await fetch(server.url(quick), { headers: { 'Accept-Encoding': 'br, gzip' }, signal: abort.signal });
    expect(response.headers.get('content-encoding')).toBeNull();
    abort.abort();
  });
});

/** GET with Accept-Encoding, returning the raw (still encoded) body bytes. */
function sendRawBytes(target: string, acceptEncoding: string): Promise<{ headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.end(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: ${acceptEncoding}\r\nConnection: close\r\n\r\n`),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of all.subarray(0, end).toString('latin1').split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ headers, body: all.subarray(end + 4) });
    });
  });
}
