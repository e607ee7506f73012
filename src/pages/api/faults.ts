import type { APIRoute } from 'astro';
import { clientIdentity } from '../../server/http/client-identity.ts';
import { handleErrors, jsonResponse } from '../../server/http/http-error.ts';
import { site } from '../../server/site.ts';

export const prerender = false;

export const POST = (({ request, clientAddress }) =>
  handleErrors(() =>
    site.handleFaultRequest(request, clientIdentity(request, clientAddress, site.config.trustProxy)),
  )) satisfies APIRoute;

export const ALL = (({ request }) =>
  jsonResponse(
    { error: `${request.method} is not allowed here; use POST` },
    { status: 405, headers: { Allow: 'POST' } },
  )) satisfies APIRoute;
