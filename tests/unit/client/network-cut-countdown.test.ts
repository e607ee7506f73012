import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkCutCountdown } from '../../../src/client/reconnect/network-cut-countdown.ts';

describe('NetworkCutCountdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts down each second and says 0 exactly when the cut ends', async () => {
    const shown: number[] = [];
    const countdown = new NetworkCutCountdown({ show: (left) => shown.push(left) });
    countdown.start(5_000);
    expect(shown).toEqual([5]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(shown).toEqual([5, 4, 3, 2, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(shown.at(-1)).toBe(0);
    const count = shown.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(shown).toHaveLength(count);
  });
});
