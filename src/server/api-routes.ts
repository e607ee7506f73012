import { headersOnly, type Route } from './http/route.ts';
import type { Site } from './site.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Every API route of the site, by path: the API's one router. The production server looks
 * each `/api/…` request up here (`scripts/api-edge.ts`); under `astro dev`, the one Astro
 * route `src/pages/api/[...path].ts` does. A path that is not here answers a JSON 404.
 *
 * Routes whose GET holds the request (a poll, a stream, a wait) or changes state give a HEAD
 * that answers at once with GET's headers (RFC 9110 §9.3.2), holding and changing nothing.
 */
export const API_ROUTES: ReadonlyMap<string, Route<Site>> = new Map<string, Route<Site>>([
  // #region chat-route
  [
    '/api/chat/messages',
    {
      GET: (request, client, site) => site.chat.handleGet(request, client),
      POST: (request, client, site) => site.chat.handlePost(request, client),
      HEAD: (_request, _client, site) => headersOnly(JSON_TYPE, { 'X-Poll-Timeout-Ms': String(site.config.pollTimeoutMs) }),
      hint: '(GET to read, POST to send)',
    },
  ],
  // #endregion chat-route
  [
    '/api/chat/poll',
    {
      GET: (request, client, site) => site.chat.handleMultiPoll(request, client),
      HEAD: (_request, _client, site) => headersOnly(JSON_TYPE, { 'X-Poll-Timeout-Ms': String(site.config.pollTimeoutMs) }),
      hint: '(one held poll for several rooms: ?follow=ROOM@CURSOR&follow=…)',
    },
  ],
  [
    '/api/chat/events',
    {
      GET: (request, client, site) => site.handleChatEvents(request, client),
      HEAD: () => headersOnly('text/event-stream; charset=utf-8', { 'X-Accel-Buffering': 'no' }),
      hint: '(an EventSource)',
    },
  ],
  [
    '/api/clock/frame',
    {
      GET: (request, client, site) => site.handleClockFrame(request, client),
      HEAD: () => headersOnly('text/html; charset=utf-8', { 'X-Accel-Buffering': 'no' }),
    },
  ],
  [
    '/api/naive/backend',
    {
      GET: (request, client, site) => site.handleNaiveBackend(request, client),
      // GET with ?msg writes and GET with ?timestamp waits: HEAD does neither.
      HEAD: () => headersOnly(JSON_TYPE),
      hint: '(with ?msg=TEXT to write, ?timestamp=N to wait)',
    },
  ],
  ['/api/naive/load', { POST: (request, client, site) => site.handleNaiveLoad(request, client) }],
  [
    '/api/polling/counter',
    {
      GET: (request, client, site) => site.handlePollingCounter(request, client),
      HEAD: () => headersOnly(JSON_TYPE), // spends none of the client's polls
    },
  ],
  ['/api/faults', { POST: (request, client, site) => site.handleFaultRequest(request, client) }],
  ['/api/stats', { GET: (request, _client, site) => site.handleStats(request) }],
]);

/** The answer for an `/api/…` path that no route serves. */
export const NO_SUCH_ENDPOINT = 'there is no such API endpoint';
