import { headersOnly } from '../../../server/http/route.ts';
import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, client, site) => site.handleNaiveBackend(request, client),
  // GET with ?msg writes and GET with ?timestamp waits: HEAD does neither.
  HEAD: () => headersOnly('application/json; charset=utf-8'),
  hint: '(with ?msg=TEXT to write, ?timestamp=N to wait)',
});
