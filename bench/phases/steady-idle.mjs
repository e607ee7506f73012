// Steady-state idle cost: N long polls held on a fresh server, measured over a window LONGER
// than the poll timeout, so that every waiter is answered empty and comes back at least once
// inside it. A window shorter than the timeout (the idle-capacity phase's) sees no re-polls at
// all and prices only the parked waiters; this one prices what an idle audience really costs:
// N / timeout full requests a second (RFC 6202 §2.2, "Header Overhead", "Allocated Resources").
import { holdPoll, newCounters, waitForGauge, warmUp } from '../lib/chat-client.mjs';
import { round } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { openConnections, reconnectingClient } from '../lib/raw-http.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

/**
 * @param {{ waiters: number, pollTimeoutMs: number, shortWindowMs: number, longWindowMs: number,
 *   rampTimeoutMs: number, env: object, log: Function }} options
 * @returns the CPU share (per cent of one core) and answers per second in both windows.
 */
export async function measureSteadyIdle({ waiters, pollTimeoutMs, shortWindowMs, longWindowMs, rampTimeoutMs, env, log }) {
  if (longWindowMs <= pollTimeoutMs) throw new Error('the long window must be longer than the poll timeout');
  const server = await startServer('site', { env: { ...env, POLL_TIMEOUT_MS: String(pollTimeoutMs) } });
  const counters = newCounters();
  let stopped = false;
  let connections = [];
  const control = reconnectingClient(server.target);
  try {
    await warmUp(control);
    const rampStartedAt = performance.now();
    const opened = await openConnections(server.target, waiters, { deadline: rampStartedAt + rampTimeoutMs });
    connections = opened.connections;
    for (const connection of connections) holdPoll(connection, 'steady-idle', counters, () => stopped);
    const held = await waitForGauge(server, 'chatWaiters', { atLeast: waiters, timeoutMs: rampTimeoutMs });

    const window = async (ms) => {
      const answersBefore = counters.answers;
      const cpu = startCpuWindow(server.pid);
      await sleep(ms);
      const usage = cpu();
      return {
        seconds: round(usage.seconds),
        cpuPercent: round(usage.cpuPercent, 3),
        answersPerSecond: round((counters.answers - answersBefore) / usage.seconds, 1),
      };
    };
    // Right after the ramp every waiter is fresh: a short window sees none of them answered.
    const short = await window(shortWindowMs);
    const long = await window(longWindowMs);
    const result = {
      waiters,
      held,
      pollTimeoutMs,
      expectedAnswersPerSecond: round(waiters / (pollTimeoutMs / 1_000), 1),
      short,
      long,
      refused: counters.refused,
      failed: counters.failed,
    };
    log(
      `steady idle · ${waiters} waiters, timeout ${pollTimeoutMs / 1_000} s: ` +
        `${short.seconds} s window ${short.cpuPercent} % CPU (${short.answersPerSecond} answers/s); ` +
        `${long.seconds} s window ${long.cpuPercent} % CPU (${long.answersPerSecond} answers/s)`,
    );
    return result;
  } finally {
    stopped = true;
    control.close();
    for (const connection of connections) connection.close();
    await server.stop();
  }
}
