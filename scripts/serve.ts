// Serves the built site (lesson pages and the live API): reads and checks every setting,
// creates the site, then listens. 127.0.0.1:4321 unless HOST/PORT say otherwise.
// Usage: node scripts/serve.ts (npm start builds first; npm run serve does not).
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { servedBy, superviseWorkers } from '../src/server/cluster/workers.ts';
import { ConfigError, readConfig, type SiteConfig } from '../src/server/config.ts';
import { createClientFaultLog } from '../src/server/http/client-fault-log.ts';
import { warnIfOpenFileLimitLow } from '../src/server/limits/open-file-limit.ts';
import { stopGracefully, SHUTDOWN_DEADLINE_MS } from '../src/server/shutdown.ts';
import { createSite, type Site } from '../src/server/site.ts';
import { createHttpServer } from './http-server.ts';

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

// The built pages and assets; the API is served from src/server directly (see api-edge.ts).
const clientDir = new URL(`../${process.env.BUILD_DIR || 'dist'}/client/`, import.meta.url);
if (!existsSync(new URL('index.html', clientDir))) {
  console.error(`No build found in ${process.env.BUILD_DIR || 'dist'}/. Run "npm start" (it builds first) or "npm run build".`);
  process.exit(1);
}

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
const server = createHttpServer({ config, site, clientDir: fileURLToPath(clientDir), servedBy: servedBy() });
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
