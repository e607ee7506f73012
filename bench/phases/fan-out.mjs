// 2. Fan-out: N clients wait in one room; one message is posted; how long until each of
// them holds it. Several rounds per N; the latencies of every client in every round are
// pooled for p50/p99/max, and "complete" is the median over rounds of the time the last
// client got it.
import { cursorAfter, EMPTY_ROOM_CURSOR, excerpt, pollPath, postMessage, waitForGauge, warmUp } from '../lib/chat-client.mjs';
import { percentile, round, summarize } from '../lib/latency-summary.mjs';
import { openConnections, reconnectingClient } from '../lib/raw-http.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

export async function measureFanOut({ kind, sizes, settings, env, nodeArgs, log }) {
  const server = await startServer(kind, { env, nodeArgs });
  const pool = [];
  try {
    const poster = reconnectingClient(server.target);
    await warmUp(poster);
    const results = [];
    for (const size of sizes) {
      if (pool.length < size) {
        const opened = await openConnections(server.target, size - pool.length, {
          deadline: performance.now() + settings.rampTimeoutMs,
        });
        pool.push(...opened.connections);
      }
      const clients = pool.slice(0, size);
      results.push(await fanOutRounds({ server, poster, clients, size, rounds: settings.fanOutRounds(size), settings }));
      const last = results.at(-1);
      log(
        `fan-out · ${kind.padEnd(9)} · ${size} clients: p50 ${last.latencyMs.p50} ms, p99 ${last.latencyMs.p99} ms, ` +
          `max ${last.latencyMs.max} ms, complete ${last.completeMs} ms (${last.received}/${last.expected} received)`,
      );
    }
    poster.close();
    return results;
  } finally {
    for (const connection of pool) connection.close();
    await server.stop();
  }
}

async function fanOutRounds({ server, poster, clients, size, rounds, settings }) {
  const room = `fan-out-${size}`;
  let cursor = EMPTY_ROOM_CURSOR;
  const samples = [];
  const completions = [];
  const perRound = []; // when the first and the last client got the message, per round
  let received = 0;
  let expected = 0;
  let wrong = 0;
  let roundsRun = 0;
  for (let roundIndex = 0; roundIndex < rounds; roundIndex += 1) {
    const text = `fan-out ${size} round ${roundIndex}`;
    const arrivals = new Float64Array(clients.length);
    const bodies = new Array(clients.length);
    let answered = 0;
    let allAnswered;
    const done = new Promise((resolve) => (allAnswered = resolve));
    // Keep the callback tiny: it runs between socket reads and would delay the next arrival's timestamp.
    clients.forEach((client, index) => {
      client.request({ path: pollPath(room, cursor) }).then(
        (response) => {
          arrivals[index] = response.doneAt;
          bodies[index] = response.body;
          if (++answered === clients.length) allAnswered();
        },
        () => {
          if (++answered === clients.length) allAnswered();
        },
      );
    });
    const waiting = await waitForGauge(server, 'chatWaiters', { atLeast: size, timeoutMs: settings.rampTimeoutMs });
    if (!(waiting >= size)) throw new Error(`only ${waiting} of ${size} fan-out clients are waiting on the ${server.kind}`);
    await sleep(settings.fanOutPauseMs);

    const postedAt = performance.now();
    const post = await postMessage(poster, room, text);
    if (post.status !== 201) throw new Error(`fan-out post answered ${post.status}: ${excerpt(post.body)}`);
    const finished = await Promise.race([done.then(() => true), sleep(settings.fanOutTimeoutMs).then(() => false)]);
    roundsRun += 1;
    expected += clients.length;

    let first = Infinity;
    let last = 0;
    for (let index = 0; index < clients.length; index += 1) {
      if (!arrivals[index]) continue;
      if (!bodies[index].includes(JSON.stringify(text))) {
        wrong += 1;
        continue;
      }
      received += 1;
      const latency = arrivals[index] - postedAt;
      samples.push(latency);
      first = Math.min(first, latency);
      last = Math.max(last, latency);
    }
    completions.push(last);
    perRound.push({ firstMs: round(first), lastMs: round(last) });
    cursor = cursorAfter(JSON.parse(post.body));
    if (!finished) break; // a client is still stuck: its connection cannot be reused for another round
  }
  const sortedCompletions = Float64Array.from(completions).sort();
  return {
    clients: size,
    rounds: roundsRun,
    expected,
    received,
    wrongMessage: wrong,
    latencyMs: summarize(samples),
    completeMs: round(percentile(sortedCompletions, 0.5)),
    /** Median over rounds of the time the first client got it: what is spent before anyone hears. */
    firstMs: round(percentile(Float64Array.from(perRound, (r) => r.firstMs).sort(), 0.5)),
    perRound,
  };
}
