import { jsonResponse } from '../../server/http/http-error.ts';
import { readQuery } from '../../server/http/query-params.ts';
import { serve } from './_serve.ts';

export const prerender = false;

export const ALL = serve({
  GET: (request, _client, site) => {
    readQuery(new URL(request.url), []);
    return jsonResponse(site.stats.snapshot());
  },
});
