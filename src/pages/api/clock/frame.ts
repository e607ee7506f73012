import { headersOnly } from '../../../server/http/route.ts';
import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, client, site) => site.handleClockFrame(request, client),
  HEAD: () => headersOnly('text/html; charset=utf-8', { 'X-Accel-Buffering': 'no' }), // the frame streams for minutes: never held for HEAD
});
