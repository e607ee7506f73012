import type { APIRoute } from 'astro';
import { handleErrors } from '../../../server/http/http-error.ts';
import { site } from '../../../server/site.ts';

export const prerender = false;

export const GET = (({ request }) => handleErrors(() => site.handleClockFrame(request))) satisfies APIRoute;
