// Serves the built site (lesson pages and the live API) with Node's HTTP server around the
// Astro standalone handler, so that the server's own limits are set in one place.
// 127.0.0.1:4321 unless HOST/PORT say otherwise.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { answerClientError, refuseExpectation, refuseUnusableAddress } from './malformed-requests.mjs';
import { applySecurityHeaders } from './security-headers.mjs';
import { isWorkersPrimary, servedBy, superviseWorkers, workerCount } from '../src/server/cluster/workers.ts';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Comet Lessons needs Node 22.12 or newer; this is Node ${process.versions.node}. ` +
      'Start it through npm (npm start), which uses the Node that npm install put in node_modules.',
  );
  process.exit(1);
}
// WORKERS=N: this process only starts and watches N copies of this script, which serve.
try {
  if (isWorkersPrimary(process.env)) await superviseWorkers(workerCount(process.env)); // exits when they do
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const servedByName = servedBy();
const buildDir = new URL(`../${process.env.BUILD_DIR || 'dist'}/`, import.meta.url);
const entry = new URL('server/entry.mjs', buildDir);
if (!existsSync(entry)) {
  console.error(`No build found in ${process.env.BUILD_DIR || 'dist'}/. Run "npm start" (it builds first) or "npm run build".`);
  process.exit(1);
}

process.env.ASTRO_NODE_AUTOSTART = 'disabled'; // we start the server ourselves, below
const { handler } = await import(entry.href);

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 4321);

/** A whole number of milliseconds from the environment, or the default. */
function milliseconds(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`${name} must be a positive whole number of milliseconds; received "${raw}"`);
    process.exit(1);
  }
  return value;
}
// A slow client (one trickling its headers or body) is cut off with a 408 after these.
const headersTimeoutMs = milliseconds('HEADERS_TIMEOUT_MS', 10_000);
const requestTimeoutMs = Math.max(headersTimeoutMs, milliseconds('REQUEST_TIMEOUT_MS', 30_000));

const server = http.createServer(
  {
    maxHeaderSize: 16 * 1024, // a larger header block gets 431
    headersTimeout: headersTimeoutMs, // a client must finish sending its headers in time
    requestTimeout: requestTimeoutMs, // …and its whole request (not the response: polls may wait)
    // How often Node looks for such clients (default 30 s): a quarter of the shorter timeout, at most 5 s.
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeoutMs / 4))),
    requireHostHeader: false, // checked by refuseUnusableAddress, which answers with a JSON reason
  },
  (req, res) => {
    applySecurityHeaders(req, res);
    res.setHeader('X-Served-By', servedByName); // which process answered (several with WORKERS)
    if (refuseUnusableAddress(req, res)) return;
    handler(req, res);
  },
);
server.keepAliveTimeout = 5_000;
// Unparsable requests, oversized headers and too-slow clients: a JSON reason, then the connection closes.
server.on('clientError', answerClientError);
// WebSocket upgrades (the chat's socket, /api/chat/socket) go to the site's socket server, which
// the bundle publishes on globalThis once the site module has loaded (like the shutdown hook).
server.on('upgrade', (req, socket, head) => {
  const handleUpgrade = globalThis[Symbol.for('comet-lessons.chat-socket')];
  if (handleUpgrade) return handleUpgrade(req, socket, head);
  const body = '{"error":"the server is starting; try again shortly"}';
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
});
server.on('checkExpectation', (req, res) => {
  applySecurityHeaders(req, res);
  refuseExpectation(res);
});

server.listen(port, host, () => {
  const boundPort = server.address().port; // PORT=0 picks a free one
  if (process.env.ASTRO_NODE_LOGGING !== 'disabled') {
    console.log(`Comet Lessons is serving at http://${host.includes(':') ? `[${host}]` : host}:${boundPort}/`);
  }
  process.send?.({ listening: boundPort }); // a parent process (the test harness) learns the port
  // Astro loads the API modules on their first request; ask for one now, so that the site's
  // start-up checks (such as the open-file limit warning) run at start, not at the first visit.
  http
    .get({ host, port: boundPort, path: '/api/stats' }, (response) => response.resume())
    .on('error', (error) => console.error(`Start-up request to /api/stats failed: ${error.message}`));
});
server.on('error', (error) => {
  console.error(`Cannot serve on ${host}:${port}: ${error.message}`);
  process.exit(1);
});

// Graceful shutdown: stop accepting, let the site answer what it holds (polls end empty,
// clock frames end with a recycle, the chat log reaches the disk), then exit within 5 s.
const SHUTDOWN_DEADLINE_MS = 5_000;
let shuttingDown = false;

async function shutDown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  const deadline = setTimeout(() => {
    console.error(`Shutdown (${signal}) did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting anyway.`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  const closed = new Promise((resolve) => server.close(resolve));
  try {
    await globalThis[Symbol.for('comet-lessons.shutdown')]?.();
  } catch (error) {
    console.error('Shutdown of the site failed:', error);
  }
  server.closeIdleConnections();
  // Responses that just ended leave keep-alive sockets behind: give them a moment, then close all.
  setTimeout(() => server.closeAllConnections(), 500).unref();
  await closed;
  clearTimeout(deadline);
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => shutDown(signal));
