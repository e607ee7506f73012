import type { APIRoute } from 'astro';
import { clientIdentity } from '../../../server/http/client-identity.ts';
import { handleErrors, jsonResponse } from '../../../server/http/http-error.ts';
import { site } from '../../../server/site.ts';

export const prerender = false;

const client = (request: Request, clientAddress: string) => clientIdentity(request, clientAddress, site.config.trustProxy);

export const GET = (({ request, clientAddress }) =>
  handleErrors(() => site.chat.handleGet(request, client(request, clientAddress)))) satisfies APIRoute;

export const POST = (({ request, clientAddress }) =>
  handleErrors(() => site.chat.handlePost(request, client(request, clientAddress)))) satisfies APIRoute;

export const ALL = (({ request }) =>
  jsonResponse(
    { error: `${request.method} is not allowed here; use GET to read or POST to send` },
    { status: 405, headers: { Allow: 'GET, POST' } },
  )) satisfies APIRoute;
