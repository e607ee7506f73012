// Headers every response carries, pages and API alike. The pages' script policy comes from
// Astro (a CSP <meta> with the hashes of the site's own scripts); these cover what a <meta>
// cannot say, and responses that are not pages.
const FRAMEABLE_BY_SITE = new Set(['/api/clock/frame']); // the forever frame lives in a hidden iframe

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
export function applySecurityHeaders(req, res) {
  const pathname = (req.url ?? '/').split('?', 1)[0];
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  if (FRAMEABLE_BY_SITE.has(pathname)) {
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  } else {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  }
}
