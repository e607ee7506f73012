// A tiny HTTP server for the blocking-port test, run in a child process of its own:
//   node tests/support/naive-stall-server.ts <blocking|timers> <file>
// GET /wait?timestamp=N waits for the file to be newer than N (blocking loop or timers);
// GET /ping answers at once, if the process is free to answer at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForNewerFileBlocking } from '../../src/server/naive/blocking-wait.ts';
import { nodeFileSystem } from '../../src/server/naive/naive-file-system.ts';
import { waitForNewerFile } from '../../src/server/naive/wait-for-newer-file.ts';

/** A safety net: the test changes the file long before this. */
const CAP_MS = 10_000;
const [mode, file] = process.argv.slice(2);
if ((mode !== 'blocking' && mode !== 'timers') || !file) {
  console.error('usage: naive-stall-server.ts <blocking|timers> <file>');
  process.exit(2);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping') {
    res.end('pong');
    return;
  }
  const since = Number(url.searchParams.get('timestamp'));
  process.stdout.write('waiting\n'); // stdout to a pipe is synchronous on Linux: written before any blocking
  const timestamp =
    mode === 'blocking'
      ? waitForNewerFileBlocking(file, since, CAP_MS)
      : (await waitForNewerFile({ fs: nodeFileSystem, file, since, capMs: CAP_MS })).timestamp;
  res.end(JSON.stringify({ timestamp }));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
