/**
 * Maps measured values to SVG coordinates for the benchmark charts, drawn at build time.
 * Linear scales start at zero (a bar's length must mean something); log scales cover whole
 * powers of ten, for figures that differ by orders of magnitude (naive vs event-driven CPU).
 */
export interface Scale {
  /** The coordinate of `value` within the range. */
  (value: number): number;
  readonly ticks: number[];
  readonly kind: 'linear' | 'log';
}

/** The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `value`. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value * (1 - 1e-12))!;
  return step * power;
}

/** 0 … a nice maximum at or above `max`, mapped onto [start, end] (end may be smaller: SVG's y grows downwards). */
export function linearScale(max: number, [start, end]: [number, number], tickCount = 4): Scale {
  const top = niceCeil(max);
  const scale = ((value: number) => start + (Math.max(0, value) / top) * (end - start)) as Scale;
  const ticks = Array.from({ length: tickCount + 1 }, (_, index) => (top * index) / tickCount);
  return Object.assign(scale, { ticks, kind: 'linear' as const });
}

/** Whole powers of ten around [min, max], mapped onto [start, end]; values at or below 0 sit at the start. */
export function logScale(min: number, max: number, [start, end]: [number, number]): Scale {
  const low = Math.floor(Math.log10(min > 0 ? min : 1));
  const high = Math.max(low + 1, Math.ceil(Math.log10(max > 0 ? max : 10)));
  const scale = ((value: number) =>
    value > 0 ? start + ((Math.log10(value) - low) / (high - low)) * (end - start) : start) as Scale;
  const ticks = Array.from({ length: high - low + 1 }, (_, index) => 10 ** (low + index));
  return Object.assign(scale, { ticks, kind: 'log' as const });
}

/** A figure as the charts and tables print it: at most `digits` decimals, thousands separated. */
export function formatNumber(value: number, digits = 1): string {
  const size = Math.abs(value);
  const decimals = size >= 100 ? 0 : size >= 10 ? Math.min(digits, 1) : digits;
  return value.toLocaleString('en-US', { maximumFractionDigits: decimals });
}
