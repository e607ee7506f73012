import type { APIContext, APIRoute } from 'astro';
import { API_ROUTES, NO_SUCH_ENDPOINT } from '../../server/api-routes.ts';
import { jsonResponse } from '../../server/http/http-error.ts';
import type { Site } from '../../server/site.ts';

/**
 * The API under `astro dev`: the route of the request's path from `API_ROUTES`, served by the
 * site like the production server does (`scripts/api-edge.ts`), or a JSON 404.
 */
export const serveApiInDevelopment: APIRoute = async (context) => {
  const route = API_ROUTES.get(context.url.pathname);
  if (!route) return jsonResponse({ error: NO_SUCH_ENDPOINT }, { status: 404 });
  const site = await developmentSite();
  return site.serve(route, context.request, { socketAddress: clientAddressOf(context) });
};

/** Under `astro dev` nothing creates the site at start: the first request does, once. */
let devSite: Promise<Site> | undefined;
function developmentSite(): Promise<Site> {
  devSite ??= (async () => {
    const [{ createSite }, { readConfig }] = await Promise.all([import('../../server/site.ts'), import('../../server/config.ts')]);
    return createSite(readConfig());
  })();
  return devSite;
}

/** The adapter throws when the client has already gone; its address no longer matters then. */
function clientAddressOf(context: APIContext): string | undefined {
  try {
    return context.clientAddress;
  } catch {
    return undefined;
  }
}
