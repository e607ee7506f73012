import { jsonResponse } from './http-error.ts';

/**
 * The `ALL` export of an API route: any method the route does not serve gets a 405 that
 * names the ones it does, as the `Allow` header and in words. (Astro would otherwise answer
 * an unknown method with an empty 404, which tells a client nothing.)
 */
// #region method-not-allowed
export function methodNotAllowed(allowed: readonly string[], hint = '') {
  const list = allowed.join(', ');
  return ({ request }: { request: Request }): Response =>
    jsonResponse(
      { error: `${request.method.slice(0, 20)} is not allowed here; use ${list}${hint ? ` ${hint}` : ''}` },
      { status: 405, headers: { Allow: list } },
    );
}
// #endregion method-not-allowed
