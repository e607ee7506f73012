import type { APIRoute } from 'astro';
import { handleErrors, jsonResponse } from '../../server/http/http-error.ts';
import { methodNotAllowed } from '../../server/http/method-not-allowed.ts';
import { readQuery } from '../../server/http/query-params.ts';
import { site } from '../../server/site.ts';

export const prerender = false;

export const GET = (({ request }) =>
  handleErrors(() => {
    readQuery(new URL(request.url), []);
    return jsonResponse(site.stats.snapshot());
  })) satisfies APIRoute;

export const ALL = methodNotAllowed(['GET']) satisfies APIRoute;
