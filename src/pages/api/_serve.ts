import type { APIContext, APIRoute } from 'astro';
import type { Route } from '../../server/http/route.ts';
import type { Site } from '../../server/site.ts';

/**
 * An API route's one export: `export const ALL = serve({ GET: (request, client, site) => … })`.
 * Astro calls `ALL` for every method; the site (from `context.locals`, put there by the
 * server's entry) dispatches, identifies the client and maps errors to JSON.
 */
export function serve(route: Route<Site>): APIRoute {
  return async (context) => {
    const site = context.locals.site ?? (await developmentSite());
    return site.serve(route, context.request, {
      socketAddress: context.locals.socketAddress ?? clientAddressOf(context),
      clientDoneSending: context.locals.clientDoneSending,
    });
  };
}

/** Under `astro dev` nothing creates the site at start: the first request does, once. */
let devSite: Promise<Site> | undefined;
function developmentSite(): Promise<Site> {
  if (!import.meta.env.DEV) {
    throw new Error('the server entry did not hand the site to the request (start it with npm start or npm run serve)');
  }
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
