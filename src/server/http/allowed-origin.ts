import { HttpError } from './http-error.ts';

/**
 * Refuses writes sent by pages of other sites. A browser names the page's origin in the
 * Origin header of every POST it sends; a request without one did not come from a page of
 * another site (curl, a server, a same-origin GET), so it passes. Behind a proxy that
 * changes the host name or the scheme, list the public origin in ALLOWED_ORIGINS.
 */
// #region allowed-origin
export function assertAllowedOrigin(request: Request, allowedOrigins: readonly string[]): void {
  const origin = request.headers.get('origin');
  if (origin === null) return;
  if (origin === new URL(request.url).origin || allowedOrigins.includes(origin)) return;
  throw new HttpError(403, `writes from pages of ${origin.slice(0, 80)} are not accepted here`);
}
// #endregion allowed-origin
