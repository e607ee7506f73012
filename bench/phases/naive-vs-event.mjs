// 3. Naive vs event-driven: the same number of idle waiters, first on the naive backend
// (each one re-reads the data file's time every 10 ms), then on the chat (each one is a
// stored callback), then on the bare reference. Server CPU seconds per second and file
// stat calls per second (counted by the probe inside the server) for each.
import { excerpt, holdPoll, newCounters, waitForGauge, warmUp } from '../lib/chat-client.mjs';
import { round } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { openConnections, reconnectingClient } from '../lib/raw-http.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

const CHAT_ROOM = 'compare';

export async function measureNaiveVsEvent({ waiters, settings, env, nodeArgs, log }) {
  const site = await startServer('site', { env, nodeArgs });
  let naive;
  let chat;
  try {
    const control = reconnectingClient(site.target);
    await warmUp(control);
    const first = await control.request({ path: '/api/naive/backend?timestamp=0' });
    if (first.status !== 200) throw new Error(`GET /api/naive/backend?timestamp=0 answered ${first.status}: ${excerpt(first.body)}`);
    const { timestamp } = JSON.parse(first.body);
    control.close();

    naive = await measureWaiters(site, waiters, settings, (connection, counters, shouldStop) =>
      holdNaive(connection, timestamp, counters, shouldStop),
    );
    chat = await measureWaiters(site, waiters, settings, (connection, counters, shouldStop) =>
      holdPoll(connection, CHAT_ROOM, counters, shouldStop),
    );
  } finally {
    await site.stop();
  }

  const referenceServer = await startServer('reference', { env });
  let reference;
  try {
    const control = reconnectingClient(referenceServer.target);
    await warmUp(control);
    control.close();
    reference = await measureWaiters(referenceServer, waiters, settings, (connection, counters, shouldStop) =>
      holdPoll(connection, CHAT_ROOM, counters, shouldStop),
    );
  } finally {
    await referenceServer.stop();
  }

  const result = {
    waiters,
    seconds: naive.seconds,
    naive,
    chat,
    reference,
    cpuRatioNaiveToChat: round(naive.cpuSecondsPerSecond / chat.cpuSecondsPerSecond, 1),
    cpuRatioNaiveToReference: round(naive.cpuSecondsPerSecond / reference.cpuSecondsPerSecond, 1),
  };
  log(
    `naive vs event · ${waiters} waiters: naive ${naive.cpuSecondsPerSecond} CPU s/s and ${naive.statCallsPerSecond} stat/s; ` +
      `chat ${chat.cpuSecondsPerSecond} CPU s/s and ${chat.statCallsPerSecond} stat/s; ` +
      `reference ${reference.cpuSecondsPerSecond} CPU s/s; ratio ${result.cpuRatioNaiveToChat}`,
  );
  return result;
}

/** Holds `count` waiters made by `hold`, then measures CPU and stat calls over a quiet window. */
async function measureWaiters(server, count, settings, hold) {
  const counters = newCounters();
  let stopped = false;
  const { connections } = await openConnections(server.target, count);
  try {
    for (const connection of connections) hold(connection, counters, () => stopped);
    await sleep(settings.settleMs);
    const gauges = (await server.stats()).gauges;
    const statsBefore = await server.statCalls();
    const cpu = startCpuWindow(server.pid);
    await sleep(settings.compareWindowMs);
    const usage = cpu();
    const statCalls = (await server.statCalls()) - statsBefore;
    return {
      held: gauges.chatWaiters + (naiveGauge(gauges) ?? 0),
      answered: counters.answers,
      refused: counters.refused,
      seconds: round(usage.seconds),
      cpuSecondsPerSecond: round(usage.cpuSecondsPerSecond, 5),
      statCallsPerSecond: round(statCalls / usage.seconds, 1),
    };
  } finally {
    stopped = true;
    for (const connection of connections) connection.close();
    // Wait until the server has let go of them, so the next measurement starts clean.
    await waitForGauge(server, 'chatWaiters', { atMost: 0, timeoutMs: 5_000 });
    await sleep(settings.settleMs);
  }
}

/** The naive backend's waiter gauge, whatever the feature named it. */
function naiveGauge(gauges) {
  const name = Object.keys(gauges).find((key) => /naive/i.test(key) && /wait/i.test(key));
  return name === undefined ? undefined : gauges[name];
}

/** One naive waiter: asks for news newer than `timestamp`; asks again whenever it is answered. */
function holdNaive(connection, timestamp, counters, shouldStop) {
  const poll = () => {
    if (shouldStop() || connection.closed) return;
    connection.request({ path: `/api/naive/backend?timestamp=${timestamp}` }).then(
      (response) => {
        counters.answers += 1;
        if (response.status === 200) poll();
        else {
          counters.refused += 1;
          setTimeout(poll, 1_000);
        }
      },
      () => {
        if (!shouldStop()) counters.failed += 1;
      },
    );
  };
  poll();
}
