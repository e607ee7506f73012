// The chat log's group commit under load: P posters send as fast as the server accepts while
// the probe inside the server times every datasync and counts the lines each one made durable.
// Reports the fsync time per batch and the batch sizes, so that "the disk is not the limit"
// is a measurement rather than a guess.
import { excerpt, postMessage, warmUp } from '../lib/chat-client.mjs';
import { round, summarize } from '../lib/latency-summary.mjs';
import { startCpuWindow } from '../lib/proc-stats.mjs';
import { openConnections, reconnectingClient } from '../lib/raw-http.mjs';
import { startServer } from '../lib/server-process.mjs';

/**
 * @param {{ posters: number, seconds: number, env: object, log: Function }} options
 * @returns messages accepted per second, the server's CPU share, and per batch: fsync time (ms) and lines.
 */
export async function measureLogBatches({ posters, seconds, env, log }) {
  const server = await startServer('site', { env });
  const connections = [];
  try {
    const control = reconnectingClient(server.target);
    await warmUp(control);
    control.close();
    const syncsBefore = (await server.logSyncs()).length;
    const opened = await openConnections(server.target, posters);
    connections.push(...opened.connections);
    let accepted = 0;
    let lastRefusal;
    const cpu = startCpuWindow(server.pid);
    const startedAt = performance.now();
    const endAt = startedAt + seconds * 1_000;
    await Promise.all(
      connections.map(async (connection, poster) => {
        for (let sequence = 0; performance.now() < endAt; sequence += 1) {
          const response = await postMessage(connection, 'log-batches', `poster ${poster} message ${sequence}`);
          if (response.status === 201) accepted += 1;
          else lastRefusal = `${response.status} ${excerpt(response.body)}`;
        }
      }),
    );
    const elapsed = (performance.now() - startedAt) / 1_000;
    const usage = cpu();
    const batches = (await server.logSyncs()).slice(syncsBefore).filter((sync) => sync.method === 'datasync' && sync.lines > 0);
    // `sync` is the compaction's rewrite of the whole file, not a batch of posts: counted apart.
    const rewrites = (await server.logSyncs()).slice(syncsBefore).filter((sync) => sync.method === 'sync').length;
    const fsyncMs = summarize(batches.map((batch) => batch.ms));
    const lines = batches.map((batch) => batch.lines);
    const syncBusySeconds = batches.reduce((sum, batch) => sum + batch.ms, 0) / 1_000;
    const result = {
      posters,
      seconds: round(elapsed),
      accepted,
      acceptedPerSecond: round(accepted / elapsed, 1),
      cpuPercent: round(usage.cpuPercent, 1),
      batches: batches.length,
      batchesPerSecond: round(batches.length / elapsed, 1),
      fsyncMs,
      /** Share of the wall time during which a sync was in progress. */
      fsyncBusyPercent: round((syncBusySeconds / elapsed) * 100, 1),
      linesPerBatch: { ...summarize(lines), min: lines.length ? Math.min(...lines) : NaN },
      compactions: rewrites,
      ...(lastRefusal && { lastRefusal }),
    };
    log(
      `log batches · ${posters} posters: ${result.acceptedPerSecond} msg/s, ${result.batchesPerSecond} syncs/s, ` +
        `fsync p50 ${fsyncMs.p50} ms p99 ${fsyncMs.p99} ms (busy ${result.fsyncBusyPercent} %), ` +
        `lines per batch mean ${result.linesPerBatch.mean} max ${result.linesPerBatch.max}, CPU ${result.cpuPercent} %`,
    );
    return result;
  } finally {
    for (const connection of connections) connection.close();
    await server.stop();
  }
}
