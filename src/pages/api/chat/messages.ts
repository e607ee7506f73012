import type { APIRoute } from 'astro';
import { clientIdentity } from '../../../server/http/client-identity.ts';
import { handleErrors } from '../../../server/http/http-error.ts';
import { methodNotAllowed } from '../../../server/http/method-not-allowed.ts';
import { site } from '../../../server/site.ts';

export const prerender = false;

const client = (request: Request, clientAddress: string) => clientIdentity(request, clientAddress, site.config.trustProxy);

export const GET = (({ request, clientAddress }) =>
  handleErrors(() => site.chat.handleGet(request, client(request, clientAddress)))) satisfies APIRoute;

export const POST = (({ request, clientAddress }) =>
  handleErrors(() => site.chat.handlePost(request, client(request, clientAddress)))) satisfies APIRoute;

export const ALL = methodNotAllowed(['GET', 'POST'], '(GET to read, POST to send)') satisfies APIRoute;
