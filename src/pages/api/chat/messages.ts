import { headersOnly } from '../../../server/http/route.ts';
import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, client, site) => site.chat.handleGet(request, client),
  POST: (request, client, site) => site.chat.handlePost(request, client),
  // A poll is held until news or its timeout: HEAD answers at once, holding nothing.
  HEAD: (_request, _client, site) =>
    headersOnly('application/json; charset=utf-8', { 'X-Poll-Timeout-Ms': String(site.config.pollTimeoutMs) }),
  hint: '(GET to read, POST to send)',
});
