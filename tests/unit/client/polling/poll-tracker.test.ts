import { describe, expect, it } from 'vitest';
import { PollTracker } from '../../../../src/client/polling/poll-tracker.ts';
import { chartSummary, scaleCeilingMs } from '../../../../src/client/polling/staleness-chart.ts';

describe('PollTracker', () => {
  it('takes the first answer as a baseline, not as a change', () => {
    const tracker = new PollTracker();
    expect(tracker.record({ value: 4, changedAt: 0, serverTime: 9_000 }, 0, 20)).toEqual({ kind: 'first' });
    expect(tracker.changes).toEqual([]);
    expect(tracker.requests).toBe(1);
  });

  it('counts answers that bring nothing new', () => {
    const tracker = new PollTracker();
    tracker.record({ value: 4, changedAt: 0, serverTime: 1_000 }, 0, 20);
    expect(tracker.record({ value: 4, changedAt: 0, serverTime: 2_000 }, 1_000, 1_020)).toEqual({ kind: 'nothing-new' });
    expect(tracker.record({ value: 4, changedAt: 0, serverTime: 3_000 }, 2_000, 2_020)).toEqual({ kind: 'nothing-new' });
    expect(tracker.nothingNew).toBe(2);
    expect(tracker.requests).toBe(3);
  });

  it('measures lateness on the server clock: answer time minus change time plus half the round trip', () => {
    const tracker = new PollTracker();
    tracker.record({ value: 1, changedAt: 0, serverTime: 50_000 }, 0, 40);
    // This page's clock is wildly off (it reads 7,000,000); only the round trip (40 ms) comes from it.
    const outcome = tracker.record({ value: 2, changedAt: 51_000, serverTime: 52_500 }, 7_000_000, 7_000_040);
    expect(outcome).toEqual({ kind: 'change', change: { value: 2, stalenessMs: 1_520, missed: 0 } });
  });

  it('notices changes that came and went between two polls', () => {
    const tracker = new PollTracker();
    tracker.record({ value: 1, changedAt: 0, serverTime: 1_000 }, 0, 10);
    tracker.record({ value: 4, changedAt: 9_000, serverTime: 10_000 }, 0, 10);
    expect(tracker.missed).toBe(2);
    expect(tracker.changes[0]).toMatchObject({ value: 4, missed: 2, stalenessMs: 1_005 });
  });

  it('starts a new baseline when the counter goes back (the server restarted)', () => {
    const tracker = new PollTracker();
    tracker.record({ value: 9, changedAt: 0, serverTime: 1_000 }, 0, 10);
    expect(tracker.record({ value: 0, changedAt: 1_500, serverTime: 2_000 }, 0, 10)).toEqual({ kind: 'first' });
    expect(tracker.record({ value: 1, changedAt: 2_500, serverTime: 3_000 }, 0, 10).kind).toBe('change');
  });

  it('sums up average and worst lateness', () => {
    const tracker = new PollTracker();
    expect(tracker.averageStalenessMs).toBeUndefined();
    tracker.record({ value: 1, changedAt: 0, serverTime: 0 }, 0, 0);
    tracker.record({ value: 2, changedAt: 1_000, serverTime: 2_000 }, 0, 0);
    tracker.record({ value: 3, changedAt: 5_000, serverTime: 8_000 }, 0, 0);
    expect(tracker.averageStalenessMs).toBe(2_000);
    expect(tracker.worstStalenessMs).toBe(3_000);
    expect(chartSummary(tracker.changes)).toBe('How late the page saw each of 2 changes: on average 2.0 s, at worst 3.0 s');
  });
});

describe('the staleness chart scale', () => {
  it.each([
    [0, 2_000],
    [1_999, 2_000],
    [4_100, 5_000],
    [10_000, 10_000],
    [10_001, 20_000],
    [95_000, 120_000],
  ])('puts %i ms under a ceiling of %i ms', (ms, ceiling) => {
    expect(scaleCeilingMs(ms)).toBe(ceiling);
  });
});
