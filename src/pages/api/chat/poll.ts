import type { APIRoute } from 'astro';
import { clientIdentity } from '../../../server/http/client-identity.ts';
import { handleErrors } from '../../../server/http/http-error.ts';
import { methodNotAllowed } from '../../../server/http/method-not-allowed.ts';
import { site } from '../../../server/site.ts';

export const prerender = false;

export const GET = (({ request, clientAddress }) =>
  handleErrors(() =>
    site.chat.handleMultiPoll(request, clientIdentity(request, clientAddress, site.config.trustProxy)),
  )) satisfies APIRoute;

export const ALL = methodNotAllowed(['GET'], '(one held poll for several rooms)') satisfies APIRoute;
