import type { APIRoute } from 'astro';
import { assertAllowedOrigin } from '../../../server/http/allowed-origin.ts';
import { clientIdentity } from '../../../server/http/client-identity.ts';
import { handleErrors } from '../../../server/http/http-error.ts';
import { methodNotAllowed } from '../../../server/http/method-not-allowed.ts';
import { site } from '../../../server/site.ts';

export const prerender = false;

export const POST = (({ request, clientAddress }) =>
  handleErrors(() => {
    assertAllowedOrigin(request, site.config.allowedOrigins); // 403: another site's page may not load the server
    return site.handleNaiveLoad(request, clientIdentity(request, clientAddress, site.config.trustProxy));
  })) satisfies APIRoute;

export const ALL = methodNotAllowed(['POST']) satisfies APIRoute;
