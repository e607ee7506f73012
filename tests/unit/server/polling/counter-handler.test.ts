import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../../src/server/limits/rate-limiter.ts';
import type { ChangingCounter } from '../../../../src/server/polling/changing-counter.ts';
import { createCounterHandler } from '../../../../src/server/polling/counter-handler.ts';

const counter: ChangingCounter = { read: () => ({ value: 7, changedAt: 1_000 }), running: true, stop() {} };
const request = (search = '') => new Request(`http://127.0.0.1/api/polling/counter${search}`);

describe('GET /api/polling/counter', () => {
  it('answers the value, when it changed, and the server time', async () => {
    const handle = createCounterHandler({ counter, rateLimiter: createRateLimiter({ perSecond: 5, burst: 5 }), now: () => 4_500 });
    const response = handle(request(), 'alice');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ value: 7, changedAt: 1_000, serverTime: 4_500 });
  });

  it('refuses query parameters', () => {
    const handle = createCounterHandler({ counter, rateLimiter: createRateLimiter({ perSecond: 5, burst: 5 }) });
    expect(() => handle(request('?since=3'), 'alice')).toThrow(/unknown query parameter "since"/);
  });

  it('limits how fast one client may poll', () => {
    const handle = createCounterHandler({ counter, rateLimiter: createRateLimiter({ perSecond: 5, burst: 2, now: () => 0 }) });
    handle(request(), 'alice');
    handle(request(), 'alice');
    expect(() => handle(request(), 'alice')).toThrow(/too many polls/);
    expect(handle(request(), 'bob').status).toBe(200);
  });
});
