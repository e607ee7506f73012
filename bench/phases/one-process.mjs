// One process, side by side: the built site, the bare node:http long-poll reference and
// Socket.IO 4.8 on its polling transport, each started fresh in its own process, measured in the
// same run with the same clients (in this process, on the same cores). For each server:
//   - RSS per held poll: (RSS with N polls held − RSS after the warm-up) ÷ N;
//   - CPU per accepted poll: the server's CPU time from sending N polls on open keep-alive
//     connections (each has loaded the room, or opened its Socket.IO session) until all N are
//     held, ÷ N;
//   - fan-out: one message posted, the time until the last of the N held polls has it (median
//     over rounds) and every client's latency (p50, p99);
//   - simple requests per second, in a second fresh process: the cheapest request each server
//     answers at once (see SIMPLE_REQUESTS for which, and why).
import { cursorAfter, EMPTY_ROOM_CURSOR, excerpt, pollPath, postMessage, waitForGauge, warmUp } from '../lib/chat-client.mjs';
import { HANDSHAKE_PATH, openSession } from '../lib/engine-io-client.mjs';
import { percentile, round, summarize } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { openConnections, reconnectingClient, requestOnce } from '../lib/raw-http.mjs';
import { sleep, SERVERS, startServer } from '../lib/server-process.mjs';

/** The servers compared, in the order they run. */
export const ONE_PROCESS_SERVERS = ['site', 'site-default-flags', 'reference', 'socket-io', 'socket-io-tuned'];
/** Whether the server under test is a Socket.IO server (with its default flags or the site's). */
const speaksSocketIo = (kind) => kind.startsWith('socket-io');
const ROOM = 'one-process';
/** Sessions opened (or connections warmed) at a time, so the listen backlog never overflows. */
const SESSION_BATCH = 200;

/**
 * The cheapest request each server answers at once with a small JSON-like body. The site and the
 * reference answer the same route: the initial load of an empty room, which goes through the
 * whole request path (routing, validation, store read, headers) and holds nothing. Socket.IO has
 * no route of its own that answers at once without a session; its handshake is the one request a
 * client makes that is answered at once and reads no body. It also creates a session, which makes
 * it dearer than a stateless read: the figure is an upper bound of Socket.IO's per-request cost.
 */
const INITIAL_LOAD = { path: pollPath('simple-get'), what: 'initial load of an empty room (GET /api/chat/messages?room=…)' };
const HANDSHAKE = { path: HANDSHAKE_PATH, what: 'Engine.IO handshake (GET /socket.io/?EIO=4&transport=polling), which opens a session' };
export const SIMPLE_REQUESTS = Object.fromEntries(ONE_PROCESS_SERVERS.map((kind) => [kind, speaksSocketIo(kind) ? HANDSHAKE : INITIAL_LOAD]));

/**
 * @param {{ kind: 'site' | 'site-default-flags' | 'reference' | 'socket-io' | 'socket-io-tuned', heldPolls: number, rounds: number, simpleConnections: number,
 *   simpleWindowMs: number, settings: object, env: object, nodeArgs?: string[], log: (line: string) => void }} options
 * @returns {Promise<object>} one row: `{ target, label, heldPolls, held, rssPerHeldPollBytes, cpuMsPerAcceptedPoll, fanOut, simpleRequests }`
 */
export async function measureOneProcess({ kind, heldPolls, rounds, simpleConnections, simpleWindowMs, settings, env, nodeArgs, log }) {
  const holding = await holdAndFanOut({ kind, heldPolls, rounds, settings, env, nodeArgs });
  const simpleRequests = await simpleRequestRate({ kind, connections: simpleConnections, windowMs: simpleWindowMs, settings, env, nodeArgs });
  const row = { target: kind, label: SERVERS[kind].label, ...holding, simpleRequests };
  log(
    `one process · ${kind.padEnd(9)} · ${heldPolls} held: ${kib(row.rssPerHeldPollBytes)} KiB RSS and ${row.cpuMsPerAcceptedPoll} ms CPU per poll, ` +
      `fan-out complete ${row.fanOut.completeMs} ms (p50 ${row.fanOut.latencyMs.p50}, p99 ${row.fanOut.latencyMs.p99}; ` +
      `${row.fanOut.received}/${row.fanOut.expected}), ${simpleRequests.perSecond} simple requests/s`,
  );
  return row;
}

/** Starts `kind` fresh, warms it up and lets it settle, runs `work`, then stops it whatever happens. */
async function onWarmServer(kind, { settings, env, nodeArgs }, work) {
  const server = await startServer(kind, { env, nodeArgs });
  const control = reconnectingClient(server.target);
  try {
    await warm(kind, server, control);
    await sleep(settings.settleMs);
    return await work(server, control);
  } finally {
    control.close();
    await server.stop();
  }
}

/** Holds `heldPolls` polls on a fresh server: memory and CPU per poll, then `rounds` fan-outs. */
function holdAndFanOut({ kind, heldPolls, rounds, settings, env, nodeArgs }) {
  return onWarmServer(kind, { settings, env, nodeArgs }, async (server, control) => {
    let connections = [];
    try {
      const rssStartBytes = server.rssBytes();
      const heapStartBytes = (await server.stats()).process.heapUsedBytes;

      const opened = await openConnections(server.target, heldPolls, { deadline: performance.now() + settings.rampTimeoutMs });
      connections = opened.connections;
      if (connections.length < heldPolls) {
        throw new Error(`opened only ${connections.length} of ${heldPolls} connections to the ${kind} (${opened.firstError ?? 'no error'})`);
      }
      // Each client first does what a real one does before its first poll, so that only the held
      // poll is measured next: a chat client loads the room; a Socket.IO client opens a session.
      const pollPaths = await inBatches(connections, async (connection) => {
        if (speaksSocketIo(kind)) return (await openSession(connection)).pollPath;
        const load = await connection.request({ path: pollPath(ROOM) });
        if (load.status !== 200) throw new Error(`the ${kind} answered the initial load with ${load.status}: ${excerpt(load.body)}`);
        return undefined;
      });
      const pathOf = (index, cursor) => pollPaths[index] ?? pollPath(ROOM, cursor);

      let cursor = EMPTY_ROOM_CURSOR;
      // The CPU window also holds the /api/stats requests that watch the gauge (one per 100 ms):
      // counted, so that a reader can tell they are a small part of it.
      let statsRequests = 0;
      const watched = { stats: () => ((statsRequests += 1), server.stats()) };
      const cpuBefore = server.cpuNanoseconds();
      const acceptStartedAt = performance.now();
      let round0 = sendPolls(connections, (index) => pathOf(index, cursor));
      const held = await waitForGauge(watched, 'chatWaiters', { atLeast: heldPolls, timeoutMs: settings.rampTimeoutMs });
      const cpuMsPerAcceptedPoll = (server.cpuNanoseconds() - cpuBefore) / 1e6 / heldPolls;
      const acceptSeconds = (performance.now() - acceptStartedAt) / 1_000;
      if (!(held >= heldPolls)) throw new Error(`only ${held} of ${heldPolls} polls are held by the ${kind}`);
      await sleep(settings.settleMs);
      const rssHeldBytes = server.rssBytes();
      const heapHeldBytes = (await server.stats()).process.heapUsedBytes;

      const completions = [];
      const samples = [];
      let received = 0;
      let expected = 0;
      for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
        const polls = roundIndex === 0 ? round0 : sendPolls(connections, (index) => pathOf(index, cursor));
        round0 = undefined;
        const waiting = await waitForGauge(server, 'chatWaiters', { atLeast: heldPolls, timeoutMs: settings.rampTimeoutMs });
        if (!(waiting >= heldPolls)) throw new Error(`only ${waiting} of ${heldPolls} polls are held by the ${kind} before round ${roundIndex}`);
        await sleep(settings.fanOutPauseMs);

        const text = `one process round ${roundIndex}`;
        const postedAt = performance.now();
        const post = await postMessage(control, ROOM, text);
        if (post.status !== 201) throw new Error(`the ${kind} answered the post with ${post.status}: ${excerpt(post.body)}`);
        const finished = await Promise.race([polls.done.then(() => true), sleep(settings.fanOutTimeoutMs).then(() => false)]);
        expected += heldPolls;
        let last = 0;
        const needle = JSON.stringify(text);
        for (let index = 0; index < heldPolls; index += 1) {
          if (!polls.arrivals[index] || !polls.bodies[index].includes(needle)) continue;
          const latency = polls.arrivals[index] - postedAt;
          received += 1;
          samples.push(latency);
          last = Math.max(last, latency);
        }
        completions.push(last);
        if (!speaksSocketIo(kind)) cursor = cursorAfter(JSON.parse(post.body));
        if (!finished) throw new Error(`round ${roundIndex}: not every held poll on the ${kind} was answered within ${settings.fanOutTimeoutMs} ms`);
      }
      return {
        heldPolls,
        held,
        rssStartBytes,
        rssHeldBytes,
        rssPerHeldPollBytes: Math.round((rssHeldBytes - rssStartBytes) / heldPolls),
        heapPerHeldPollBytes: Math.round((heapHeldBytes - heapStartBytes) / heldPolls),
        cpuMsPerAcceptedPoll: round(cpuMsPerAcceptedPoll, 3),
        /** How long the polls took to be held, and the gauge reads made meanwhile (inside the CPU window). */
        accept: { seconds: round(acceptSeconds), statsRequests },
        fanOut: {
          rounds,
          expected,
          received,
          completeMs: round(percentile(Float64Array.from(completions).sort(), 0.5)),
          perRoundMs: completions.map((ms) => round(ms)),
          latencyMs: summarize(samples),
        },
      };
    } finally {
      for (const connection of connections) connection.close();
    }
  });
}

/**
 * Sends one poll on every connection; `done` resolves once each has an answer (or failed).
 * The callbacks only record: they run between socket reads and would delay the next timestamp.
 */
function sendPolls(connections, pathOf) {
  const arrivals = new Float64Array(connections.length);
  const bodies = new Array(connections.length);
  let answered = 0;
  let allAnswered;
  const done = new Promise((resolve) => (allAnswered = resolve));
  const count = () => ++answered === connections.length && allAnswered();
  connections.forEach((connection, index) => {
    connection.request({ path: pathOf(index) }).then((response) => {
      arrivals[index] = response.doneAt;
      bodies[index] = response.body;
      count();
    }, count);
  });
  return { arrivals, bodies, done };
}

/** Runs `task` on every item, SESSION_BATCH at a time; resolves with the results in order. */
async function inBatches(items, task) {
  const results = [];
  for (let start = 0; start < items.length; start += SESSION_BATCH) {
    results.push(...(await Promise.all(items.slice(start, start + SESSION_BATCH).map(task))));
  }
  return results;
}

/** Requests of every kind the measurement makes, so the server has loaded and compiled its code. */
async function warm(kind, server, control) {
  if (!speaksSocketIo(kind)) return warmUp(control);
  for (let i = 0; i < 5; i += 1) {
    const connections = (await openConnections(server.target, 2)).connections;
    const [first, second] = await Promise.all(connections.map(openSession));
    const held = connections[1].request({ path: second.pollPath });
    await postMessage(control, 'warm-up', `warm-up ${i}`);
    await held;
    await connections[0].request({ path: first.pollPath }); // the message was waiting: answered at once
    for (const connection of connections) connection.close();
    await requestOnce(server.target, { path: '/api/stats' });
  }
}

/** Back-to-back simple requests on `connections` keep-alive connections for `windowMs`, on a fresh server. */
function simpleRequestRate({ kind, connections: count, windowMs, settings, env, nodeArgs }) {
  return onWarmServer(kind, { settings, env, nodeArgs }, async (server) => {
    let connections = [];
    try {
      connections = (await openConnections(server.target, count)).connections;
      const { path, what } = SIMPLE_REQUESTS[kind];
      let running = true;
      let answered = 0;
      let refused = 0;
      const loop = async (connection) => {
        while (running && !connection.closed) {
          const response = await connection.request({ path }).catch(() => undefined);
          if (!running) return;
          if (response?.status === 200) answered += 1;
          else refused += 1;
        }
      };
      const cpu = startCpuWindow(server.pid);
      const loops = connections.map(loop);
      await sleep(windowMs);
      running = false;
      const window = cpu();
      await Promise.all(loops);
      return {
        request: what,
        path,
        connections: connections.length,
        seconds: round(window.seconds),
        answered,
        refused,
        perSecond: Math.round(answered / window.seconds),
        cpuMsPerRequest: round((window.cpuSeconds * 1_000) / Math.max(1, answered), 3),
      };
    } finally {
      for (const connection of connections) connection.close();
    }
  });
}

const kib = (bytes) => round(bytes / 1024, 1);
