// ad-hoc: RSS per held poll and fan-out for site vs reference; optional heap snapshot
import { EMPTY_ROOM_CURSOR, pollPath, postMessage, waitForGauge, warmUp, cursorAfter } from './lib/chat-client.mjs';
import { openConnections, reconnectingClient } from './lib/raw-http.mjs';
import { sleep, startServer, killAllServers } from './lib/server-process.mjs';
const N = Number(process.env.N ?? 5000);
const kinds = (process.env.KINDS ?? 'site,reference').split(',');
const env = { RATE_LIMITS: 'off', MAX_WAITERS: String(N + 1000) };
process.on('exit', killAllServers);
for (const kind of kinds) {
  const nodeArgs = process.env.NODEARGS ? process.env.NODEARGS.split(' ') : process.env.SNAP ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=/tmp/prof`] : (process.env.PROF && kind==='site' ? ['--cpu-prof','--cpu-prof-dir=/tmp/prof'] : []);
  const server = await startServer(kind, { env: { ...env, MODE: kind.replace('exp-','') }, nodeArgs });
  const poster = reconnectingClient(server.target);
  await warmUp(poster);
  await sleep(1000);
  const base = server.rssBytes();
  const cpu0 = server.cpuNanoseconds();
  const { connections } = await openConnections(server.target, N, { deadline: performance.now() + 60000 });
  let cursor = EMPTY_ROOM_CURSOR;
  const results = [];
  for (let round = 0; round < 3; round++) {
    let answered = 0; let done; const all = new Promise((r) => (done = r));
    const t = [];
    for (const c of connections) c.request({ path: pollPath('fan', cursor) }).then((res) => { t.push(res.doneAt); if (++answered === N) done(); }, () => { if (++answered === N) done(); });
    const w = await waitForGauge(server, 'chatWaiters', { atLeast: N, timeoutMs: 60000 });
    const cpuHeld = server.cpuNanoseconds();
    await sleep(1000);
    if (round === 0) {
      const rss = server.rssBytes();
      const st = await server.stats(); console.log(JSON.stringify(st.process));
      console.log(kind, 'held', w, 'rss/poll KiB', ((rss - base) / N / 1024).toFixed(1), 'base MiB', (base/1048576).toFixed(1), 'cpu ms per accepted poll', ((cpuHeld - cpu0) / 1e6 / N).toFixed(3));
      if (process.env.SNAP) { process.kill(server.pid, 'SIGUSR2'); await sleep(15000); }
    }
    const at = performance.now();
    const p = await postMessage(poster, 'fan', 'hello ' + round);
    await all;
    const last = Math.max(...t) - at;
    results.push(last);
    cursor = cursorAfter(JSON.parse(p.body));
    await sleep(300);
  }
  console.log(kind, 'fan-out last ms', results.map((x) => x.toFixed(0)).join(' '));
  for (const c of connections) c.close();
  poster.close();
  await server.stop();
}
process.exit(0);
