// Serves the built site (lesson pages and the live API): reads and checks every setting,
// creates the site, then listens. 127.0.0.1:4321 unless HOST/PORT say otherwise.
// Usage: node scripts/serve.ts (npm start builds first; npm run serve does not).
import cluster from 'node:cluster';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { servedBy, superviseWorkers } from '../src/server/cluster/workers.ts';
import { ConfigError, readConfig, type SiteConfig } from '../src/server/config.ts';
import { createClientFaultLog } from '../src/server/http/client-fault-log.ts';
import { warnIfOpenFileLimitLow } from '../src/server/limits/open-file-limit.ts';
import { stopGracefully, SHUTDOWN_DEADLINE_MS } from '../src/server/shutdown.ts';
import { createSite, type Site } from '../src/server/site.ts';
import { createHttpServer, type AstroHandler } from './http-server.ts';

let config: SiteConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message); // one line: the variable, the value received, what is expected
  process.exit(1);
}
// WORKERS=N (with REDIS_URL): this process only starts and watches N copies of this script, which serve.
if (config.workers > 1 && cluster.isPrimary) await superviseWorkers(config.workers); // exits when they do

const buildDir = new URL(`../${process.env.BUILD_DIR || 'dist'}/`, import.meta.url);
const entry = new URL('server/entry.mjs', buildDir);
if (!existsSync(entry)) {
  console.error(`No build found in ${process.env.BUILD_DIR || 'dist'}/. Run "npm start" (it builds first) or "npm run build".`);
  process.exit(1);
}
const { handler } = (await import(entry.href)) as { handler: AstroHandler };
await preloadServerChunks(new URL('server/chunks/', buildDir));

let site: Site;
try {
  site = createSite(config);
} catch (error) {
  console.error(`Cannot start the site: ${(error as Error).message}`); // e.g. a DATA_DIR that cannot be created
  process.exit(1);
}
warnIfOpenFileLimitLow({
  chatWaiters: config.maxChatWaiters,
  sseStreams: config.maxSseStreams,
  clockStreams: config.maxClockStreams,
  naiveWaiters: config.maxNaiveWaiters,
});

const outOfFiles = createClientFaultLog({ write: (line) => console.warn(line.replace('Client fault: ', 'Server: ')) });
const server = createHttpServer({ config, site, handler, clientDir: fileURLToPath(new URL('client/', buildDir)), servedBy: servedBy() });
server.listen(config.port, config.host, () => {
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : config.port; // PORT=0 picks a free one
  if (process.env.ASTRO_NODE_LOGGING !== 'disabled') {
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    console.log(`Comet Lessons is serving at http://${host}:${boundPort}/`);
  }
  process.send?.({ listening: boundPort }); // a parent process (the test harness) learns the port
});
let listening = false;
server.once('listening', () => (listening = true));
server.on('error', (error: Error & { code?: string }) => {
  if (!listening) {
    console.error(`Cannot serve on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  }
  // Accepting failed (EMFILE, ENFILE: out of file descriptors). The connection waits in the
  // kernel's queue or is refused there; the server goes on, and recovers when clients leave.
  outOfFiles.note(`cannot accept a connection (${error.code ?? error.message})`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    const finished = await stopGracefully(server, site.shutdown);
    if (!finished) console.error(`Shutdown (${signal}) did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting anyway.`);
    process.exit(finished ? 0 : 1);
  });
}

/**
 * Astro imports each route's module on its first request. Imported now, at start, a route
 * never needs a file opened later, when the process may be out of file descriptors (EMFILE)
 * and the import would fail with a 500. A chunk that cannot load now is left to fail later,
 * as it would have anyway.
 */
async function preloadServerChunks(folder: URL): Promise<void> {
  const files = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.mjs')) : [];
  await Promise.all(files.map((name) => import(new URL(name, folder).href).catch(() => undefined)));
}
