import { serve } from './_serve.ts';

export const prerender = false;

export const ALL = serve({ GET: (request, _client, site) => site.handleStats(request) });
