import { serve } from './_serve.ts';

export const prerender = false;

export const ALL = serve({ POST: (request, client, site) => site.handleFaultRequest(request, client) });
