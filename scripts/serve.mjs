// Serves the built site (lesson pages and the live API) with Node's HTTP server around the
// Astro standalone handler, so that the server's own limits are set in one place.
// 127.0.0.1:4321 unless HOST/PORT say otherwise.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { applySecurityHeaders } from './security-headers.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Comet Lessons needs Node 22.12 or newer; this is Node ${process.versions.node}. ` +
      'Start it through npm (npm start), which uses the Node that npm install put in node_modules.',
  );
  process.exit(1);
}
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

const server = http.createServer(
  {
    maxHeaderSize: 16 * 1024, // a larger header block gets 431
    headersTimeout: 10_000, // a client must finish sending its headers within 10 s
    requestTimeout: 30_000, // …and its whole request (not the response) within 30 s
  },
  (req, res) => {
    applySecurityHeaders(req, res);
    handler(req, res);
  },
);
server.keepAliveTimeout = 5_000;

server.listen(port, host, () => {
  if (process.env.ASTRO_NODE_LOGGING !== 'disabled') {
    console.log(`Comet Lessons is serving at http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
  }
});
server.on('error', (error) => {
  console.error(`Cannot serve on ${host}:${port}: ${error.message}`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // Held requests end with the process; the hardening lesson drains them first.
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
