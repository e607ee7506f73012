/**
 * The one list of security headers every answer carries: pages, API, and the raw answers
 * the server writes itself before a request reaches the site (a 400 for bytes that are not
 * HTTP, a 431, a 408). Pages' script policy comes from Astro (a CSP `<meta>` with the hashes
 * of the site's own scripts); these cover what a `<meta>` cannot say (framing, RFC 7034 and
 * CSP Level 3 `frame-ancestors`) and answers that are not pages.
 */

/** Addresses a page of this site may show in a frame: the forever frame lives in a hidden iframe. */
const FRAMEABLE_BY_SITE = new Set(['/api/clock/frame']);

/**
 * The headers for an answer to `pathname` (the path alone, no query), as name → value.
 * @param pathname e.g. `/api/stats`; `undefined` for answers to requests that could not be read
 */
export function securityHeaders(pathname: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  };
  if (pathname !== undefined && FRAMEABLE_BY_SITE.has(pathname)) {
    headers['X-Frame-Options'] = 'SAMEORIGIN';
  } else {
    headers['X-Frame-Options'] = 'DENY';
    headers['Content-Security-Policy'] = "frame-ancestors 'none'";
  }
  return headers;
}
