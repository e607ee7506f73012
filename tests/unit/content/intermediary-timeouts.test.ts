import { describe, expect, it } from 'vitest';
import { INTERMEDIARY_TIMEOUTS, pollTimeoutHeadroom } from '../../../src/build/figures/intermediary-timeouts.ts';
import { SITE_FIGURES } from '../../../src/build/figures/site-figures.ts';

// The real-networks lesson's table of proxy, CDN and load-balancer limits: each row names its
// source, and the site's own timeouts stay below every one of them.
describe('intermediary timeouts', () => {
  it.each(INTERMEDIARY_TIMEOUTS.map((row) => [row.product, row] as const))('%s cites its documentation', (_, row) => {
    expect(row.source.url).toMatch(/^https:\/\/[^/]+\.[a-z]+\//);
    expect(row.defaultMs).toBeGreaterThan(0);
  });

  it("keeps the default poll timeout below the shortest limit in the table", () => {
    const { shortest, headroomMs } = pollTimeoutHeadroom();
    expect(headroomMs).toBeGreaterThan(0);
    for (const row of INTERMEDIARY_TIMEOUTS) expect(row.defaultMs).toBeGreaterThanOrEqual(shortest.defaultMs);
  });

  it('keeps the event-stream heartbeat and the clock tick below every limit', () => {
    for (const row of INTERMEDIARY_TIMEOUTS) {
      expect(SITE_FIGURES.sseHeartbeat.value).toBeLessThan(row.defaultMs);
      expect(SITE_FIGURES.tickInterval.value).toBeLessThan(row.defaultMs);
    }
  });

  it('reports a poll timeout above a limit as negative headroom', () => {
    const { headroomMs } = pollTimeoutHeadroom(INTERMEDIARY_TIMEOUTS, 120_000);
    expect(headroomMs).toBeLessThan(0);
  });
});
