import { describe, expect, it } from 'vitest';
import { formatNumber, linearScale, logScale, niceCeil } from '../../../../src/build/bench/chart-scale.ts';

describe('niceCeil', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0.7, 1, 1.2, 2.2, 3, 7, 42, 180, 999, 1_001].map(niceCeil)).toEqual([1, 1, 2, 2.5, 5, 10, 50, 200, 1_000, 2_000]);
  });

  it('falls back to 1 for zero, negative or missing values', () => {
    expect([0, -5, Number.NaN].map(niceCeil)).toEqual([1, 1, 1]);
  });
});

describe('linearScale', () => {
  it('starts at zero, ends at a nice maximum, and maps onto a downward SVG axis', () => {
    const y = linearScale(180, [250, 50]);
    expect(y.ticks).toEqual([0, 50, 100, 150, 200]);
    expect(y(0)).toBe(250);
    expect(y(200)).toBe(50);
    expect(y(100)).toBe(150);
  });

  it('never draws a negative value below the axis', () => {
    expect(linearScale(10, [0, 100])(-3)).toBe(0);
  });
});

describe('logScale', () => {
  it('spans whole powers of ten and places each decade evenly', () => {
    const x = logScale(0.02, 30, [0, 400]);
    expect(x.ticks).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(x(0.01)).toBeCloseTo(0);
    expect(x(1)).toBeCloseTo(200);
    expect(x(100)).toBeCloseTo(400);
  });

  it('keeps at least one decade and puts zero at the start', () => {
    const x = logScale(5, 5, [10, 110]);
    expect(x.ticks).toEqual([1, 10]);
    expect(x(0)).toBe(10);
  });
});

describe('formatNumber', () => {
  it('keeps decimals for small figures only, and separates thousands', () => {
    expect(formatNumber(3.14159)).toBe('3.1');
    expect(formatNumber(0.024, 3)).toBe('0.024');
    expect(formatNumber(653.8)).toBe('654');
    expect(formatNumber(15.038, 3)).toBe('15');
    expect(formatNumber(15_000)).toBe('15,000');
  });
});
