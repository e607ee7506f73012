import { describe, expect, it } from 'vitest';
import { clampNetworkDelayMs, MAX_NETWORK_DELAY_MS, parseRetryAfter } from '../../../src/client/network-delay.ts';
import { Backoff } from '../../../src/client/backoff.ts';

describe('delays from the network', () => {
  it('are clamped to at most 5 minutes, never past what setTimeout can hold', () => {
    expect(MAX_NETWORK_DELAY_MS).toBe(300_000);
    expect(clampNetworkDelayMs(2_147_484_000)).toBe(MAX_NETWORK_DELAY_MS);
    expect(clampNetworkDelayMs(Infinity)).toBe(MAX_NETWORK_DELAY_MS);
    expect(clampNetworkDelayMs(-5)).toBe(0);
    expect(clampNetworkDelayMs(Number.NaN)).toBe(0);
    expect(clampNetworkDelayMs(1_500)).toBe(1_500);
  });

  it('reads Retry-After as seconds or an HTTP date, clamped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('2147484', now)).toBe(MAX_NETWORK_DELAY_MS);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(MAX_NETWORK_DELAY_MS);
    expect(parseRetryAfter(null, now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBe(0);
    expect(parseRetryAfter('-3', now)).toBe(0);
  });

  it('reach the backoff clamped', () => {
    expect(new Backoff({ random: () => 0 }).next(10 ** 12)).toBe(MAX_NETWORK_DELAY_MS);
  });
});
