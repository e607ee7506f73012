import { serveApiInDevelopment } from './_serve.ts';

export const prerender = false;

/**
 * Every `/api/…` address, under `astro dev`: the routes themselves are in
 * `src/server/api-routes.ts`, which the production server serves without Astro.
 */
export const ALL = serveApiInDevelopment;
