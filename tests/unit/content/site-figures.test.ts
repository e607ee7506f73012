import { describe, expect, it } from 'vitest';
import { formatBytes, formatDurationMs, formatFigureValue } from '../../../src/build/figures/format-figure.ts';
import { measuredFigure } from '../../../src/build/figures/measured-figures.ts';
import { SITE_FIGURES, siteFigure } from '../../../src/build/figures/site-figures.ts';
import { readConfig } from '../../../src/server/config.ts';
import { FRAME_PADDING_BYTES } from '../../../src/server/clock/forever-frame-stream.ts';

// The figures lessons print come from the code's own constants and defaults, formatted one way.
describe('figure formatting', () => {
  it.each([
    [10, 'auto', '10 ms'],
    [25_000, 'auto', '25 s'],
    [25_000, 'seconds', '25 seconds'],
    [1_000, 'seconds', '1 second'],
    [300_000, 'auto', '5 minutes'],
    [86_400_000, 'auto', '24 hours'],
  ] as const)('%d ms (%s) reads "%s"', (ms, style, text) => {
    expect(formatDurationMs(ms, style)).toBe(text);
  });

  it.each([
    [200, '200 bytes'],
    [2 * 1024, '2 KiB'],
    [128 * 1024, '128 KiB'],
    [2 ** 20, '1 MiB'],
  ])('%d bytes read "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('separates thousands and names rates', () => {
    expect(formatFigureValue(10_000, 'count')).toBe('10,000');
    expect(formatFigureValue(5, 'per-second')).toBe('5 a second');
  });
});

describe('site figures', () => {
  it("are the server's defaults and the code's constants", () => {
    const defaults = readConfig({});
    expect(SITE_FIGURES.pollTimeout.value).toBe(defaults.pollTimeoutMs);
    expect(SITE_FIGURES.maxWaiters.value).toBe(defaults.maxChatWaiters);
    expect(SITE_FIGURES.maxSseStreams.value).toBe(defaults.maxSseStreams);
    expect(SITE_FIGURES.framePaddingBytes.value).toBe(FRAME_PADDING_BYTES);
  });

  it('print as the lessons write them', () => {
    expect(siteFigure('maxWaiters')).toMatch(/^\d{1,3}(,\d{3})*$/);
    expect(siteFigure('pollTimeout')).toMatch(/^\d+ s$/);
    expect(siteFigure('framePaddingBytes')).toMatch(/^\d+ KiB$/);
  });

  it('refuses an unknown name, saying which exist', () => {
    expect(() => siteFigure('nope' as never)).toThrow(/Unknown site figure "nope". Expected one of: .*pollTimeout/);
  });
});

describe('measured figures', () => {
  it('come from the committed result files', () => {
    expect(measuredFigure('steadyFile')).toMatch(/^bench\/results\/steady-state\/\d{4}-\d{2}-\d{2}\.json$/);
    expect(measuredFigure('badInputFile')).toMatch(/^bench\/results\/bad-input\/\d{4}-\d{2}-\d{2}\.json$/);
    expect(measuredFigure('steadyLongCpu')).toMatch(/ %$/);
  });
});
