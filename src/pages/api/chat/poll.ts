import { headersOnly } from '../../../server/http/route.ts';
import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, client, site) => site.chat.handleMultiPoll(request, client),
  // One held poll for several rooms: HEAD answers at once, holding nothing.
  HEAD: (_request, _client, site) =>
    headersOnly('application/json; charset=utf-8', { 'X-Poll-Timeout-Ms': String(site.config.pollTimeoutMs) }),
  hint: '(one held poll for several rooms: ?follow=ROOM@CURSOR&follow=…)',
});
