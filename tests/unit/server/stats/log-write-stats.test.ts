import { afterEach, describe, expect, it } from 'vitest';
import { createLogWriteStats } from '../../../../src/server/stats/log-write-stats.ts';
import { createServerStats, type ServerStats } from '../../../../src/server/stats/server-stats.ts';

let stats: ServerStats;
afterEach(() => stats?.stop());

describe('createLogWriteStats', () => {
  it('adds up each batch into totals a reader can difference, and keeps the slowest sync', () => {
    stats = createServerStats();
    const writes = createLogWriteStats(stats);
    expect(stats.snapshot().gauges).toMatchObject({ chatLogBatches: 0, chatLogMessagesWritten: 0 });
    writes.record({ messages: 1, bytes: 120, syncMs: 2.5 });
    writes.record({ messages: 7, bytes: 840, syncMs: 1.25 });
    expect(stats.snapshot().gauges).toMatchObject({
      chatLogBatches: 2,
      chatLogMessagesWritten: 8,
      chatLogBytesWritten: 960,
      chatLogSyncMsTotal: 3.75,
      chatLogSyncMsMax: 2.5,
    });
  });
});
