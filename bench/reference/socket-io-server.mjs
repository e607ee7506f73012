// The library a Node developer would reach for instead of the site's chat: Socket.IO 4.8, held
// to its HTTP long-polling transport (Engine.IO v4 polling) so that it is compared with the site
// on the same technique. The bench holds polls on it, posts one message and times the fan-out,
// exactly as it does with the site and with the bare reference (bench/reference/chat-server.mjs).
// Never serve it to the public.
//   HOST=127.0.0.1 PORT=0 node bench/reference/socket-io-server.mjs
//
// Routes besides Socket.IO's own /socket.io/:
//   POST /api/chat/messages  {"text", "author"?, "room"?} → 201 and the message, sent to every
//                            connected socket as the event "message" (`io.emit`)
//   GET  /api/stats          {gauges: {chatWaiters, sessions}, process: {...}}, the same gauge
//                            name as the site's, so the bench waits for held polls the same way
import http from 'node:http';
import { Server } from 'socket.io';

const MAX_BODY_BYTES = 4 * 1024;
/**
 * The bench's clients never answer Engine.IO's heartbeat, so it is set beyond any run: a ping
 * would otherwise answer every held poll at once and skew the figures.
 */
const PING_INTERVAL_MS = 10 * 60_000;
const PING_TIMEOUT_MS = 60_000;

let lastId = 0;

const server = http.createServer(
  // The same limits as scripts/serve.ts and the bare reference, so all three hold sockets alike.
  { maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 30_000 },
  (request, response) => {
    route(request, response).catch((error) => {
      const status = typeof error.status === 'number' ? error.status : 500;
      if (status === 500) console.error('Unexpected error while handling a request:', error);
      if (!response.headersSent) sendJson(response, status, { error: error.message });
    });
  },
);
server.keepAliveTimeout = 5_000;

const io = new Server(server, {
  transports: ['polling'],
  allowUpgrades: false,
  serveClient: false,
  httpCompression: false, // the site and the reference compress no API answer either
  pingInterval: PING_INTERVAL_MS,
  pingTimeout: PING_TIMEOUT_MS,
});

/** Polls held right now: an Engine.IO polling transport is `writable` while it holds a GET. */
function heldPolls() {
  let held = 0;
  for (const client of Object.values(io.engine.clients)) if (client.transport?.writable) held += 1;
  return held;
}

async function route(request, response) {
  const { pathname } = new URL(request.url, 'http://socket-io');
  if (pathname === '/api/stats' && request.method === 'GET') {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    return sendJson(response, 200, {
      gauges: { chatWaiters: heldPolls(), sessions: io.engine.clientsCount },
      ratesPerSecond: {},
      process: {
        cpuTimeMs: Math.round((cpu.user + cpu.system) / 1_000),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        uptimeSeconds: Math.round(process.uptime()),
      },
    });
  }
  if (pathname === '/api/chat/messages' && request.method === 'POST') {
    let input;
    try {
      input = JSON.parse(await readBody(request));
    } catch (error) {
      throw typeof error.status === 'number' ? error : Object.assign(new Error('the body is not valid JSON'), { status: 400 });
    }
    if (typeof input?.text !== 'string' || input.text.length === 0) throw Object.assign(new Error('"text" is required'), { status: 400 });
    lastId += 1;
    const message = { id: lastId, text: input.text, author: input.author ?? 'anonymous', room: input.room ?? 'lobby', at: Date.now() };
    io.emit('message', message);
    return sendJson(response, 201, message);
  }
  sendJson(response, 404, { error: 'not found' });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(Object.assign(new Error('body too large'), { status: 413 }));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
  });
  response.end(json);
}

const host = process.env.HOST || '127.0.0.1';
server.listen(Number(process.env.PORT || 0), host, () => {
  const { port } = server.address();
  if (process.env.QUIET !== '1') console.log(`Socket.IO (polling) chat server at http://${host}:${port}/`);
  process.send?.({ listening: port }); // the bench learns the port it was given (PORT=0 picks a free one)
});
server.on('error', (error) => {
  console.error(`Cannot serve: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    io.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
