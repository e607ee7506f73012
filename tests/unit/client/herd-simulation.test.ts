import { describe, expect, it } from 'vitest';
import { simulateHerd } from '../../../src/client/reconnect/herd-simulation.ts';

describe('simulateHerd (reconnection lesson chart)', () => {
  const herd = simulateHerd({ clients: 1_000, outageMs: 12_000 });

  it('fixed delays arrive as spikes of every client at once', () => {
    expect(Math.max(...herd.fixed)).toBe(1_000);
    expect(herd.fixed.filter((count) => count > 0)).toHaveLength(3); // 5 s, 10 s, 15 s
  });

  it('jitter spreads the same clients thinly', () => {
    expect(Math.max(...herd.jittered)).toBeLessThan(Math.max(...herd.fixed) / 4);
    expect(herd.jittered.filter((count) => count > 0).length).toBeGreaterThan(50);
  });

  it('every client gets back in under both strategies', () => {
    expect(herd.fixedRecoveredAtMs).toBe(15_000);
    expect(herd.jitteredRecoveredAtMs).toBeGreaterThanOrEqual(12_000);
    expect(herd.jitteredRecoveredAtMs).toBeLessThan(40_000);
  });

  it('is the same on every run', () => {
    expect(simulateHerd({ clients: 1_000, outageMs: 12_000 })).toEqual(herd);
  });
});
