import http, { type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SOCKETS_PER_CLIENT } from '../../src/server/socket/chat-socket-server.ts';
import { SSE_STREAMS_PER_CLIENT } from '../../src/server/sse/chat-events-handler.ts';
import { startTestRedis, type TestRedis } from '../support/redis-server.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

// Two processes, per-client limits on: event streams and sockets are long-lived, so their counts
// in Redis are leases, one poll timeout long, that the holding process renews.
const LEASE_MS = 8_000; // POLL_TIMEOUT_MS: the lease length
const POSTS_PER_SECOND = 1; // bursts of two
let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({
    env: { WORKERS: '2', REDIS_URL: redis.url, POLL_TIMEOUT_MS: String(LEASE_MS), POSTS_PER_SECOND: String(POSTS_PER_SECOND) },
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

const room = (name: string) => `${name}-${Date.now().toString(36)}`;

interface Stream {
  /** The first event: `position` for a stream that is open, `refused` for one over a limit. */
  first: Promise<{ event: string; data: any; servedBy: string }>;
  close(): void;
}

/** An event stream on a connection of its own: the primary hands connections to the workers in turn. */
function openStream(roomName: string): Stream {
  let outgoing!: http.ClientRequest;
  const first = new Promise<{ event: string; data: any; servedBy: string }>((resolve, reject) => {
    outgoing = http.get(server.url(`/api/chat/events?room=${roomName}`), { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('error', () => {});
      response.on('data', (chunk) => {
        text += chunk;
        const found = /event: (position|refused)\ndata: (.*)\n/.exec(text);
        if (found) resolve({ event: found[1]!, data: JSON.parse(found[2]!), servedBy: String(response.headers['x-served-by']) });
      });
      response.on('end', () => reject(new Error(`the stream ended before its first event: ${text}`)));
    });
    outgoing.on('error', reject);
    // A connection handed to a worker that was killed meanwhile may never be answered.
    outgoing.setTimeout(5_000, () => outgoing.destroy(new Error('no first event within 5 s')));
  });
  first.catch(() => {});
  return { first, close: () => outgoing.destroy() };
}

interface Socket {
  /** `open` once the position frame came; otherwise the close code (4429 over the client's share). */
  outcome: Promise<{ outcome: 'open' | number; servedBy: string }>;
  ws: WebSocket;
}

function openSocket(roomName: string): Socket {
  const ws = new WebSocket(`${server.origin.replace('http:', 'ws:')}/api/chat/socket?room=${roomName}`, { origin: server.origin });
  ws.on('error', () => {});
  let servedBy = '';
  ws.on('upgrade', (response) => (servedBy = String(response.headers['x-served-by'])));
  const outcome = new Promise<{ outcome: 'open' | number; servedBy: string }>((resolve) => {
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'position') resolve({ outcome: 'open', servedBy });
    });
    ws.on('close', (code) => resolve({ outcome: code, servedBy }));
  });
  return { outcome, ws };
}

/**
 * Waits until the primary has noticed a worker's death: a connection it hands out before then may
 * go to the dead worker and never be answered (node:cluster's round robin).
 */
async function workerStopped(name: string): Promise<void> {
  const slot = name.split('/')[0]!.replace('worker-', '');
  await eventually(async () => expect(server.output()).toMatch(new RegExp(`Worker ${slot} stopped`)), { timeoutMs: 10_000 });
}

/** An open socket (retrying while earlier sockets' leases are still being released). */
async function openSocketWhenFree(roomName: string): Promise<Socket> {
  let opened: Socket | undefined;
  await eventually(
    async () => {
      const socket = openSocket(roomName);
      const { outcome } = await socket.outcome;
      if (outcome !== 'open') socket.ws.close();
      expect(outcome).toBe('open');
      opened = socket;
    },
    { timeoutMs: 10_000 },
  );
  return opened!;
}

/** Holds `count` open streams (retrying while earlier ones' leases are still being released). */
async function holdStreams(roomName: string, count: number): Promise<Stream[]> {
  const held: Stream[] = [];
  await eventually(
    async () => {
      while (held.length < count) {
        const stream = openStream(roomName);
        const { event } = await stream.first;
        if (event !== 'position') {
          stream.close();
          throw new Error('refused: earlier leases not released yet');
        }
        held.push(stream);
      }
    },
    { timeoutMs: 10_000 },
  );
  return held;
}

describe('scale-out: per-client limits for event streams and sockets hold across workers', () => {
  it(`${SSE_STREAMS_PER_CLIENT} event streams per client in all, whichever process holds them`, async () => {
    const name = room('streams');
    const streams = Array.from({ length: 12 }, () => openStream(name));
    try {
      const firsts = await Promise.all(streams.map((stream) => stream.first));
      // Both processes took some of the streams (the primary hands each free worker a connection in
      // turn). Counted per process, the one with fewer would hold its own share on top: more than
      // the limit in all. Counted across them, the limit holds.
      expect(new Set(firsts.map((first) => first.servedBy.split('/')[0])).size).toBe(2);
      expect(firsts.filter((first) => first.event === 'position')).toHaveLength(SSE_STREAMS_PER_CLIENT);
      const refused = firsts.filter((first) => first.event === 'refused');
      expect(refused[0]!.data).toMatchObject({ error: expect.stringMatching(/too many event streams/), retryAfterMs: expect.any(Number) });
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it(`${SOCKETS_PER_CLIENT} sockets per client in all, whichever process holds them (close 4429 past it)`, async () => {
    const name = room('sockets');
    const sockets = Array.from({ length: 12 }, () => openSocket(name));
    try {
      const outcomes = await Promise.all(sockets.map((socket) => socket.outcome));
      // As for streams: both processes took some, and the limit still holds in all.
      expect(new Set(outcomes.map((o) => o.servedBy.split('/')[0])).size).toBe(2);
      expect(outcomes.filter((o) => o.outcome === 'open')).toHaveLength(SOCKETS_PER_CLIENT);
      const refused = outcomes.filter((o) => o.outcome !== 'open');
      expect(new Set(refused.map((o) => o.outcome))).toEqual(new Set([4429]));
    } finally {
      for (const socket of sockets) socket.ws.close();
    }
  });

  it('posts over sockets and over HTTP spend one bucket per client, across processes', async () => {
    const name = room('posts');
    const sockets: Socket[] = [];
    // Sockets on both processes (the last test's sockets may still be releasing their places).
    await eventually(async () => {
      const socket = await openSocketWhenFree(name);
      const servedBy = (await socket.outcome).servedBy;
      const known = await Promise.all(sockets.map(async (s) => (await s.outcome).servedBy));
      if (known.includes(servedBy) && sockets.length > 0) socket.ws.close();
      else sockets.push(socket);
      expect(sockets.length).toBe(2);
    }, { timeoutMs: 20_000 });
    const answers: Array<Promise<boolean>> = [];
    const startedAt = performance.now();
    for (let i = 0; i < 4; i += 1) {
      for (const [index, socket] of sockets.entries()) {
        const key = `k${i}s${index}`;
        answers.push(
          new Promise((resolve) => {
            socket.ws.on('message', (data) => {
              const frame = JSON.parse(String(data));
              if (frame.key === key) resolve(frame.type === 'posted');
            });
          }),
        );
        socket.ws.send(JSON.stringify({ type: 'post', key, text: `socket post ${key}` }));
      }
      answers.push(
        fetch(server.url('/api/chat/messages'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: server.origin },
          body: JSON.stringify({ room: name, text: `http post ${i}` }),
        }).then((response) => response.status === 201),
      );
    }
    const accepted = (await Promise.all(answers)).filter(Boolean).length;
    const elapsedSeconds = (performance.now() - startedAt) / 1_000;
    // One bucket: the burst, plus what refilled meanwhile (a slow machine only raises the bound).
    // Counted per process and per transport, three buckets would each give their burst at once.
    expect(accepted).toBeGreaterThan(0);
    for (const socket of sockets) socket.ws.close();
    expect(accepted).toBeLessThanOrEqual(2 * POSTS_PER_SECOND + Math.ceil(elapsedSeconds * POSTS_PER_SECOND));
  });

  it('the leases of a worker killed with streams open lapse within one poll timeout', async () => {
    const name = room('lapse');
    const held = await holdStreams(name, SSE_STREAMS_PER_CLIENT);
    const holders = await Promise.all(held.map(async (stream) => (await stream.first).servedBy));
    const victim = holders[0]!;
    process.kill(Number(victim.split('/')[1]), 'SIGKILL');
    await workerStopped(victim);
    // Its streams are gone, but nobody withdrew their leases: still counted…
    const early = openStream(name);
    expect((await early.first).event).toBe('refused');
    // …until they lapse, within one lease length, because nobody renews them.
    const stillHeld = held.filter((_, index) => holders[index] !== victim);
    await eventually(
      async () => {
        const stream = openStream(name);
        const { event } = await stream.first;
        if (event === 'position') stillHeld.push(stream);
        expect(event).toBe('position');
      },
      { timeoutMs: 3 * LEASE_MS },
    );
    for (const stream of [...held, ...stillHeld]) stream.close();
  });

  it('with Redis unreachable: streams are refused in-stream, socket upgrades get a JSON 503, open ones end with a reason, nothing crashes', async () => {
    // Open before the outage: they end with a refusal (stream) or an error frame and 1013 (socket).
    const name = room('before-outage');
    let streamText = '';
    const streamEnded = new Promise<void>((resolve, reject) => {
      http
        .get(server.url(`/api/chat/events?room=${name}`), { agent: false }, (response) => {
          response.setEncoding('utf8');
          response.on('data', (chunk) => (streamText += chunk));
          response.on('end', resolve);
          response.on('error', reject);
        })
        .on('error', reject);
    });
    await eventually(async () => expect(streamText).toContain('event: position'));
    const socket = await openSocketWhenFree(name);
    const socketFrames: any[] = [];
    socket.ws.on('message', (data) => socketFrames.push(JSON.parse(String(data))));
    const socketClosed = new Promise<number>((resolve) => socket.ws.on('close', (code) => resolve(code)));

    await redis.pause();
    expect(await socketClosed).toBe(1013);
    expect(socketFrames.at(-1)).toMatchObject({ type: 'error', retryAfterMs: expect.any(Number) });
    await streamEnded;
    expect(streamText).toMatch(/event: refused\ndata: \{"error":"the chat is unavailable/);

    await eventually(
      async () => {
        const stream = openStream(room('outage'));
        const first = await stream.first;
        stream.close();
        expect(first.event).toBe('refused');
        expect(first.data.retryAfterMs).toBeGreaterThan(0);
      },
      { timeoutMs: 10_000 },
    );
    const ws = new WebSocket(`${server.origin.replace('http:', 'ws:')}/api/chat/socket?room=${room('outage')}`, { origin: server.origin });
    ws.on('error', () => {});
    const response = await new Promise<IncomingMessage>((resolve) => ws.on('unexpected-response', (_request, res) => resolve(res)));
    let body = '';
    for await (const chunk of response) body += chunk;
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(body).error).toMatch(/try again/);
    expect(server.output()).not.toMatch(/\n\s+at /); // no stack trace in the log
    expect((await fetch(server.url('/api/stats'))).status).toBe(200); // still serving
  });
});
