import type { APIRoute } from 'astro';
import { clientIdentity } from '../../../server/http/client-identity.ts';
import { handleErrors, jsonResponse } from '../../../server/http/http-error.ts';
import { site } from '../../../server/site.ts';

export const prerender = false;

export const GET = (({ request, clientAddress }) =>
  handleErrors(() =>
    site.handleChatEvents(request, clientIdentity(request, clientAddress, site.config.trustProxy)),
  )) satisfies APIRoute;

export const ALL = (({ request }) =>
  jsonResponse(
    { error: `${request.method} is not allowed here; use GET (an EventSource)` },
    { status: 405, headers: { Allow: 'GET' } },
  )) satisfies APIRoute;
