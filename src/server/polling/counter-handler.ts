import { jsonResponse } from '../http/http-error.ts';
import { readQuery } from '../http/query-params.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { ChangingCounter } from './changing-counter.ts';

/** Per-client limit on polls, for `createRateLimiter`: the fastest interval the widget offers is 2 a second. */
export const POLL_RATE_LIMIT = { perSecond: 5, burst: 10 };

export interface CounterHandlerOptions {
  counter: ChangingCounter;
  rateLimiter: RateLimiter;
  now?: () => number;
}

/** `GET /api/polling/counter`: the counter's value now; every poll is a full request and response. */
export function createCounterHandler({ counter, rateLimiter, now = Date.now }: CounterHandlerOptions) {
  return function handlePollingCounter(request: Request, client: string): Response {
    // #region counter-endpoint
    readQuery(new URL(request.url), []);
    rateLimiter.take(client, 'polls');
    const { value, changedAt } = counter.read();
    // serverTime lets the page put its own clock on the server's before it measures staleness.
    return jsonResponse({ value, changedAt, serverTime: now() });
    // #endregion counter-endpoint
  };
}
