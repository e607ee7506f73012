import { headersOnly } from '../../../server/http/route.ts';
import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, client, site) => site.handlePollingCounter(request, client),
  HEAD: () => headersOnly('application/json; charset=utf-8'), // spends none of the client's polls
});
