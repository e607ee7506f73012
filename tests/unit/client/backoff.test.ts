import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/client/backoff.ts';

describe('Backoff', () => {
  it('doubles its ceiling after each failure, up to the cap', () => {
    const atMost = new Backoff({ initialMs: 1_000, maxMs: 30_000, random: () => 1 });
    expect(Array.from({ length: 8 }, () => atMost.next())).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('waits at least half the ceiling, spread at random above it', () => {
    const atLeast = new Backoff({ initialMs: 1_000, random: () => 0 });
    expect([atLeast.next(), atLeast.next(), atLeast.next()]).toEqual([500, 1_000, 2_000]);
    const values = new Set(Array.from({ length: 50 }, () => new Backoff().next()));
    expect(values.size).toBeGreaterThan(10);
    for (const value of values) expect(value).toBeGreaterThanOrEqual(500);
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff({ random: () => 1 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(1_000);
  });

  it("never waits less than the server's Retry-After", () => {
    const backoff = new Backoff({ random: () => 0 });
    expect(backoff.next(5_000)).toBe(5_000);
  });
});
