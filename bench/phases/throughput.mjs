// 4. Throughput: L listeners long-poll one room back to back while P posters send
// messages as fast as the server accepts them. Messages accepted per second, deliveries
// per second (one message reaching one listener), and delivery latency from the moment
// the post was sent to the moment a listener held the message.
import { cursorId, EMPTY_ROOM_CURSOR, excerpt, pollPath, postMessage, warmUp } from '../lib/chat-client.mjs';
import { round, summarize } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { openConnections, reconnectingClient } from '../lib/raw-http.mjs';
import { sleep, startServer } from '../lib/server-process.mjs';

const ROOM = 'throughput';

export async function measureThroughput({ kind, listeners, posters, settings, env, nodeArgs, log }) {
  const server = await startServer(kind, { env, nodeArgs });
  const connections = [];
  try {
    const control = reconnectingClient(server.target);
    await warmUp(control);
    control.close();
    const opened = await openConnections(server.target, listeners + posters);
    connections.push(...opened.connections);
    if (connections.length < listeners + posters) throw new Error(`could only open ${connections.length} connections`);

    const sentAt = new Map(); // message text → when its post was sent
    const latencies = [];
    let deliveries = 0;
    let gaps = 0;
    let listenerFailures = 0;
    let listening = true;
    const cursors = new Array(listeners).fill(EMPTY_ROOM_CURSOR);
    const listen = (connection, index) => {
      if (!listening) return;
      connection.request({ path: pollPath(ROOM, cursors[index]) }).then(
        (response) => {
          if (response.status !== 200) {
            listenerFailures += 1;
            return;
          }
          const body = JSON.parse(response.body);
          for (const message of body.messages) {
            const postedAt = sentAt.get(message.text);
            if (postedAt !== undefined) latencies.push(response.doneAt - postedAt);
            deliveries += 1;
          }
          if (body.gap) gaps += 1;
          cursors[index] = body.cursor;
          listen(connection, index);
        },
        () => (listenerFailures += 1),
      );
    };
    connections.slice(0, listeners).forEach(listen);
    await sleep(settings.settleMs); // every listener is waiting before the first post

    let accepted = 0;
    let refused = 0;
    let lastId = 0;
    let lastRefusal;
    const logBefore = (await server.stats()).gauges;
    const cpu = startCpuWindow(server.pid);
    const startedAt = performance.now();
    const endAt = startedAt + settings.throughputMs;
    await Promise.all(
      connections.slice(listeners).map(async (connection, poster) => {
        for (let sequence = 0; performance.now() < endAt; sequence += 1) {
          const text = `poster ${poster} message ${sequence}`;
          sentAt.set(text, performance.now());
          const response = await postMessage(connection, ROOM, text);
          if (response.status === 201) {
            accepted += 1;
            lastId = Math.max(lastId, JSON.parse(response.body).id);
          } else {
            refused += 1;
            lastRefusal = `${response.status} ${excerpt(response.body)}`;
          }
        }
      }),
    );
    const seconds = (performance.now() - startedAt) / 1_000;
    if (accepted === 0) throw new Error(`the ${kind} accepted no message: ${lastRefusal}`);
    // Let the listeners catch up with the last accepted message (bounded).
    const drainUntil = performance.now() + settings.drainTimeoutMs;
    while (cursors.some((cursor) => cursorId(cursor) < lastId) && performance.now() < drainUntil) await sleep(20);
    const usage = cpu();
    listening = false;
    const logWrites = logWriteFigures(logBefore, (await server.stats()).gauges);

    const result = {
      target: kind,
      listeners,
      posters,
      seconds: round(seconds),
      accepted,
      refused,
      acceptedPerSecond: round(accepted / seconds, 1),
      deliveries,
      expectedDeliveries: accepted * listeners,
      deliveriesPerSecond: round(deliveries / seconds, 1),
      gaps,
      listenerFailures,
      ...(lastRefusal && { lastRefusal }),
      cpuPercent: round(usage.cpuPercent, 1),
      latencyMs: summarize(latencies),
      ...(logWrites && { logWrites }),
    };
    log(
      `throughput · ${kind.padEnd(9)} · ${listeners}×${posters}: ${result.acceptedPerSecond} msg/s accepted, ` +
        `${result.deliveriesPerSecond} deliveries/s, latency p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms, ` +
        `${deliveries}/${result.expectedDeliveries} delivered` +
        (logWrites
          ? `; log: ${logWrites.batches} batches, ${logWrites.messagesPerBatch} msg and ${logWrites.bytesPerBatch} B per batch, ` +
            `sync ${logWrites.syncMsPerBatch} ms per batch (max ${logWrites.syncMsMax} ms)`
          : ''),
    );
    return result;
  } finally {
    for (const connection of connections) connection.close();
    await server.stop();
  }
}

/**
 * The chat log's group commit during the phase, from two `/api/stats` snapshots: batches written,
 * messages and bytes per batch, mean sync time per batch, and the slowest sync since the server
 * started. Undefined for a target without a log (the reference server).
 */
function logWriteFigures(before, after) {
  if (after.chatLogBatches === undefined) return undefined;
  const batches = after.chatLogBatches - before.chatLogBatches;
  const per = (name) => (batches > 0 ? round((after[name] - before[name]) / batches, 2) : 0);
  return {
    batches,
    messagesPerBatch: per('chatLogMessagesWritten'),
    bytesPerBatch: per('chatLogBytesWritten'),
    syncMsPerBatch: per('chatLogSyncMsTotal'),
    syncMsMax: after.chatLogSyncMsMax,
  };
}
