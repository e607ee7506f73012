// 1. Idle capacity: N long polls held at once on a fresh server. How many are really held,
// what they cost in memory and in CPU while nothing happens, and how quickly the server
// still answers everyone else: a plain request, a lesson page, and a post → reply round
// trip in another room.
import { EMPTY_ROOM_CURSOR, holdPoll, newCounters, pollPath, postMessage, waitForGauge, warmUp } from '../lib/chat-client.mjs';
import { round, summarize } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { Connection, openConnections, reconnectingClient } from '../lib/raw-http.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

const IDLE_ROOM = 'idle';
const ROUND_TRIP_ROOM = 'round-trip';

/**
 * @param {{ kind: 'site' | 'reference', waiters: number, settings: object, env: object, lessonPath?: string, log: Function }} options
 */
export async function measureIdleCapacity({ kind, waiters, settings, env, nodeArgs, lessonPath, log }) {
  const server = await startServer(kind, { env, nodeArgs });
  const counters = newCounters();
  let stopped = false;
  let connections = [];
  const control = reconnectingClient(server.target);
  try {
    await warmUp(control, { lessonPath });
    await sleep(settings.settleMs);
    const rssBaselineBytes = server.rssBytes();
    const heapBaselineBytes = (await server.stats()).process.heapUsedBytes;

    const rampStartedAt = performance.now();
    const opened = await openConnections(server.target, waiters, { deadline: rampStartedAt + settings.rampTimeoutMs });
    connections = opened.connections;
    for (const connection of connections) holdPoll(connection, IDLE_ROOM, counters, () => stopped);
    const held = await waitForGauge(server, 'chatWaiters', {
      atLeast: waiters,
      timeoutMs: Math.max(1_000, rampStartedAt + settings.rampTimeoutMs - performance.now()),
    });
    const rampSeconds = (performance.now() - rampStartedAt) / 1_000;
    await sleep(settings.settleMs);

    // Nothing is sent to the server during this window: only the waiters' own cost shows.
    const answersBefore = counters.answers;
    const cpu = startCpuWindow(server.pid);
    await sleep(settings.idleWindowMs);
    const idle = cpu();
    const answersDuringIdleWindow = counters.answers - answersBefore;
    const rssBytes = server.rssBytes();
    // JavaScript heap in use (live objects plus garbage not yet collected), as the server reports it.
    const heapUsedBytes = (await server.stats()).process.heapUsedBytes;

    const deadline = () => performance.now() + settings.latencyTimeoutMs;
    const latencyMs = {
      stats: await timeRequests(control, '/api/stats', settings.latencySamples, deadline()),
      ...(lessonPath && { lessonPage: await timeRequests(control, lessonPath, settings.pageSamples, deadline()) }),
      roundTrip: await timeRoundTrips(server.target, settings.roundTripSamples, deadline()),
    };
    const heldAfter = (await server.stats()).gauges.chatWaiters;

    const result = {
      target: kind,
      waiters,
      opened: connections.length,
      connectFailures: opened.failures,
      held,
      heldAfterLatencyChecks: heldAfter,
      rampSeconds: round(rampSeconds),
      rssBaselineBytes,
      rssBytes,
      rssPerWaiterBytes: Math.round((rssBytes - rssBaselineBytes) / Math.max(1, held)),
      heapUsedPerWaiterBytes: Math.round((heapUsedBytes - heapBaselineBytes) / Math.max(1, held)),
      idleCpuPercent: round(idle.cpuPercent, 3),
      idleWindowSeconds: round(idle.seconds),
      answersDuringIdleWindow,
      refused: counters.refused,
      failed: counters.failed,
      latencyMs,
    };
    if (counters.lastRefusal) result.lastRefusal = counters.lastRefusal;
    if (opened.firstError) result.firstConnectError = opened.firstError;
    log(
      `idle · ${kind.padEnd(9)} · ${waiters} waiters: held ${held}, RSS ${mb(rssBytes)} (+${result.rssPerWaiterBytes} B/waiter), ` +
        `idle CPU ${result.idleCpuPercent} %, p99 stats ${latencyMs.stats.p99} ms` +
        (latencyMs.lessonPage ? `, page ${latencyMs.lessonPage.p99} ms` : '') +
        `, round trip ${latencyMs.roundTrip.p99} ms`,
    );
    return result;
  } finally {
    stopped = true;
    control.close();
    for (const connection of connections) connection.close();
    await server.stop();
  }
}

/** Sequential requests on one keep-alive connection: latency, not throughput. */
async function timeRequests(connection, path, samples, deadline) {
  const times = [];
  let failures = 0;
  for (let i = 0; i < samples && performance.now() < deadline; i += 1) {
    const response = await connection.request({ path });
    if (response.status === 200) times.push(response.doneAt - response.sentAt);
    else failures += 1;
  }
  return { ...summarize(times), failures };
}

/**
 * A listener waits in a room of its own; a second client posts there; the time from sending
 * the post to the listener holding the message is one round trip.
 */
async function timeRoundTrips(target, samples, deadline) {
  const listener = await new Connection(target).connect();
  const poster = await new Connection(target).connect();
  const times = [];
  let failures = 0;
  let cursor = EMPTY_ROOM_CURSOR;
  try {
    for (let i = 0; i < samples && performance.now() < deadline; i += 1) {
      const reply = listener.request({ path: pollPath(ROUND_TRIP_ROOM, cursor) });
      await sleep(5); // let the poll reach the server and wait there, as a real listener would
      const postedAt = performance.now();
      const posted = postMessage(poster, ROUND_TRIP_ROOM, `round trip ${i}`);
      const [answer, post] = await Promise.all([reply, posted]);
      const body = answer.status === 200 ? JSON.parse(answer.body) : undefined;
      if (post.status === 201 && body?.messages.some((message) => message.text === `round trip ${i}`)) {
        times.push(answer.doneAt - postedAt);
      } else {
        failures += 1;
      }
      cursor = body?.cursor ?? cursor;
    }
  } finally {
    listener.close();
    poster.close();
  }
  return { ...summarize(times), failures };
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
