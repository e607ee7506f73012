import { serve } from '../_serve.ts';

export const prerender = false;

export const ALL = serve({ GET: (request, client, site) => site.handlePollingCounter(request, client) });
