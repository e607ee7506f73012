import { headersOnly } from '../../../server/http/route.ts';
import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, client, site) => site.handleChatEvents(request, client),
  HEAD: () => headersOnly('text/event-stream; charset=utf-8', { 'X-Accel-Buffering': 'no' }), // the stream stays open: never held for HEAD
  hint: '(an EventSource)',
});
