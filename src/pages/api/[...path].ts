import type { APIRoute } from 'astro';
import { jsonResponse } from '../../server/http/http-error.ts';

export const prerender = false;

/** Any /api/ address no route serves: a JSON 404, like every other answer of the API. */
export const ALL = (() => jsonResponse({ error: 'there is no such API endpoint' }, { status: 404 })) satisfies APIRoute;
