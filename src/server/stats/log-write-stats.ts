import type { ServerStats } from './server-stats.ts';

/** One batch of chat posts written to the log: the figures `createMessageLog` reports through `onBatchWritten`. */
export interface LogBatchFigures {
  /** Messages (lines) in the batch. */
  messages: number;
  /** Bytes written in its one write. */
  bytes: number;
  /** Time the sync to disk (`fdatasync`) took, in milliseconds. */
  syncMs: number;
}

/**
 * The chat log's write figures as gauges of `/api/stats`, totals since start, so that a reader
 * (the bench) takes two snapshots and divides the differences: messages per batch, bytes per
 * batch, sync time per batch. `chatLogSyncMsMax` is the slowest single sync since start.
 */
export function createLogWriteStats(stats: ServerStats) {
  let batches = 0;
  let messages = 0;
  let bytes = 0;
  let syncMsTotal = 0;
  let syncMsMax = 0;
  stats.addGauge('chatLogBatches', () => batches);
  stats.addGauge('chatLogMessagesWritten', () => messages);
  stats.addGauge('chatLogBytesWritten', () => bytes);
  stats.addGauge('chatLogSyncMsTotal', () => Math.round(syncMsTotal * 1_000) / 1_000);
  stats.addGauge('chatLogSyncMsMax', () => Math.round(syncMsMax * 1_000) / 1_000);
  return {
    /** Counts one batch; pass it as the store's `onBatchWritten`. */
    record(batch: LogBatchFigures): void {
      batches += 1;
      messages += batch.messages;
      bytes += batch.bytes;
      syncMsTotal += batch.syncMs;
      syncMsMax = Math.max(syncMsMax, batch.syncMs);
    },
  };
}
