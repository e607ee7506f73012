// Transports: the same chat delivered over long poll, Server-Sent Events and WebSocket to N
// clients at once. For each: bytes on the wire per delivered message (both directions, HTTP
// headers and WebSocket framing included, counted at the clients' TCP sockets), delivery latency
// (post sent → message parsed by the client), server memory per idle connection, and server CPU
// per delivered message. Every client lives in this process; the server is the built site.
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { postMessage, warmUp } from '../lib/chat-client.mjs';
import { round, summarize } from '../lib/latency-summary.mjs';
import { readCpuNanoseconds } from '../lib/proc-stats.mjs';
import { reconnectingClient } from '../lib/raw-http.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

export const TRANSPORTS = ['long-poll', 'sse', 'websocket'];
/** The gauge of /api/stats that counts each transport's open connections. */
const GAUGES = { 'long-poll': 'chatWaiters', sse: 'sseStreams', websocket: 'chatSockets' };
const ROOM = 'transports';
const MARK = 'bench-transport-';

/**
 * @param {{ transport: string, clients: number, messages: number, spacingMs: number, settings: object, env: object, log: Function, nodeArgs?: string[] }} options
 */
export async function measureTransport({ transport, clients, messages, spacingMs, settings, env, log, nodeArgs }) {
  const server = await startServer('site', { env, nodeArgs });
  const control = reconnectingClient(server.target);
  const sockets = new Set();
  const wire = () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead + socket.bytesWritten, 0);
  // Every client socket is made here, so its bytes can be counted whatever protocol runs on it.
  const createConnection = () => {
    const socket = net.createConnection(server.target);
    sockets.add(socket);
    return socket;
  };
  const postedAt = new Map();
  const arrivals = []; // ms from post to arrival, one per delivered message
  let delivered = 0;
  let failures = 0;
  const onMessage = (message) => {
    if (typeof message?.text !== 'string' || !message.text.startsWith(MARK)) return;
    const sentAt = postedAt.get(message.text);
    if (sentAt === undefined) return;
    arrivals.push(performance.now() - sentAt);
    delivered += 1;
  };
  const stoppers = [];
  try {
    await warmUp(control);
    await sleep(settings.settleMs);
    const rssBaselineBytes = server.rssBytes();

    const open = { 'long-poll': openLongPoll, sse: openEventStream, websocket: openSocket }[transport];
    for (let i = 0; i < clients; i += 1) {
      stoppers.push(open({ target: server.target, createConnection, onMessage, onFailure: () => (failures += 1) }));
      if (i % 100 === 99) await sleep(10); // let the server accept in batches
    }
    const connected = await waitForGauge(server, GAUGES[transport], clients, settings.rampTimeoutMs);
    await sleep(settings.settleMs);
    const rssIdleBytes = server.rssBytes();

    const wireBefore = wire();
    const cpuBefore = readCpuNanoseconds(server.pid);
    const startedAt = performance.now();
    for (let i = 0; i < messages; i += 1) {
      const text = `${MARK}${i}`;
      postedAt.set(text, performance.now());
      const response = await postMessage(control, ROOM, text);
      if (response.status !== 201) throw new Error(`a post was answered ${response.status}: ${response.body.slice(0, 120)}`);
      await sleep(spacingMs);
    }
    const expected = connected * messages;
    const deadline = performance.now() + settings.deliveryTimeoutMs;
    while (delivered < expected && performance.now() < deadline) await sleep(20);
    const seconds = (performance.now() - startedAt) / 1_000;
    const cpuSeconds = (readCpuNanoseconds(server.pid) - cpuBefore) / 1e9;
    const wireBytes = wire() - wireBefore;

    const row = {
      transport,
      clients,
      connected,
      messages,
      spacingMs,
      expected,
      delivered,
      failures,
      seconds: round(seconds),
      wireBytesPerDelivery: Math.round(wireBytes / Math.max(1, delivered)),
      latencyMs: summarize(arrivals),
      rssPerIdleConnectionBytes: Math.round((rssIdleBytes - rssBaselineBytes) / Math.max(1, connected)),
      cpuMicrosecondsPerDelivery: round((cpuSeconds * 1e6) / Math.max(1, delivered), 1),
    };
    log(
      `transports · ${transport.padEnd(9)} · ${connected}/${clients} connected, ${delivered}/${expected} delivered: ` +
        `${row.wireBytesPerDelivery} B/message on the wire, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, ` +
        `${row.rssPerIdleConnectionBytes} B RSS/idle connection, ${row.cpuMicrosecondsPerDelivery} µs CPU/message`,
    );
    return row;
  } finally {
    for (const stop of stoppers) stop();
    for (const socket of sockets) socket.destroy();
    control.close();
    await server.stop();
  }
}

async function waitForGauge(server, gauge, atLeast, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = (await server.stats()).gauges[gauge] ?? 0;
    if (value >= atLeast || performance.now() > deadline) return value;
    await sleep(100);
  }
}

/** A long-poll client: GET after its cursor, read the answer, ask again at once, on one kept-alive socket. */
function openLongPoll({ target, createConnection, onMessage, onFailure }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  agent.createConnection = createConnection;
  let cursor;
  let stopped = false;
  const poll = () => {
    if (stopped) return;
    const query = new URLSearchParams({ room: ROOM });
    if (cursor !== undefined) query.set('after', String(cursor));
    const request = http.get({ agent, ...target, path: `/api/chat/messages?${query}` }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) {
          onFailure();
          setTimeout(poll, 1_000);
          return;
        }
        const answer = JSON.parse(body);
        cursor = answer.cursor;
        answer.messages.forEach(onMessage);
        poll();
      });
    });
    request.on('error', () => {
      if (!stopped) onFailure();
    });
  };
  poll();
  return () => {
    stopped = true;
    agent.destroy();
  };
}

/** An event-stream client: one response that never ends, read event by event. */
function openEventStream({ target, createConnection, onMessage, onFailure }) {
  const request = http.get({ createConnection, ...target, path: `/api/chat/events?room=${ROOM}`, headers: { Accept: 'text/event-stream' } }, (response) => {
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
        if (!data) continue;
        try {
          const parsed = JSON.parse(data);
          for (const message of Array.isArray(parsed.messages) ? parsed.messages : [parsed]) onMessage(message);
        } catch {
          // not a message (a position or a refusal)
        }
      }
    });
  });
  let stopped = false;
  request.on('error', () => {
    if (!stopped) onFailure();
  });
  return () => {
    stopped = true;
    request.destroy();
  };
}

/** A WebSocket client of the chat's socket protocol. */
function openSocket({ target, createConnection, onMessage, onFailure }) {
  const ws = new WebSocket(`ws://${target.host}:${target.port}/api/chat/socket?room=${ROOM}`, { createConnection, perMessageDeflate: false });
  let stopped = false;
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.type === 'messages' || frame.type === 'reset') frame.messages.forEach(onMessage);
  });
  ws.on('error', () => {
    if (!stopped) onFailure();
  });
  return () => {
    stopped = true;
    ws.terminate();
  };
}

/** The transport comparison as a Markdown section of the result file. */
export function renderTransportsMarkdown(rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [
    '## Transports: the same chat over long poll, Server-Sent Events and WebSocket',
    line(['Transport', 'Clients', 'Delivered', 'Bytes on the wire / message', 'Latency p50', 'Latency p99', 'RSS / idle connection', 'CPU / delivered message']),
    line(Array(8).fill('---')),
    ...rows.map((r) =>
      line([r.transport, `${r.connected}/${r.clients}`, `${r.delivered}/${r.expected}`, `${r.wireBytesPerDelivery} B`, `${r.latencyMs.p50} ms`, `${r.latencyMs.p99} ms`, `${(r.rssPerIdleConnectionBytes / 1024).toFixed(1)} KiB`, `${r.cpuMicrosecondsPerDelivery} µs`]),
    ),
  ].join('\n');
}
