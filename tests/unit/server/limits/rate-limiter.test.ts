import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.ts';
import { createRateLimiter } from '../../../../src/server/limits/rate-limiter.ts';

describe('createRateLimiter', () => {
  it('allows a burst, then answers 429 with Retry-After until tokens come back', () => {
    let now = 0;
    const limiter = createRateLimiter({ perSecond: 2, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) limiter.take('a', 'messages');
    let refused: unknown;
    try {
      limiter.take('a', 'messages');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(429);
    expect((refused as HttpError).headers['Retry-After']).toBe('1');
    now = 500;
    expect(() => limiter.take('a', 'messages')).not.toThrow();
  });

  it('keeps clients apart', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, now: () => 0 });
    limiter.take('a', 'x');
    expect(() => limiter.take('b', 'x')).not.toThrow();
    expect(() => limiter.take('a', 'x')).toThrow(HttpError);
  });

  it('lets everything through when disabled', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, enabled: false, now: () => 0 });
    for (let i = 0; i < 100; i++) limiter.take('a', 'x');
    expect(limiter.trackedClients).toBe(0);
  });

  it('never tracks more than maxClients', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 5, maxClients: 10, now: () => 0 });
    for (let i = 0; i < 100; i++) limiter.take(`client-${i}`, 'x');
    expect(limiter.trackedClients).toBeLessThanOrEqual(10);
  });
});
