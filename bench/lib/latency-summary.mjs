// Percentiles by the nearest-rank method: p99 of 100 samples is the 99th smallest, a value
// that was actually measured, never an interpolation between two.

export function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `{ count, p50, p99, max, mean }` of millisecond samples, rounded to 0.01 ms. */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || NaN);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : NaN),
    mean: round(mean),
  };
}

export { round };
