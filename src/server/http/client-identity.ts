/**
 * Who is asking, for per-client limits: the socket's address, or the first address a
 * trusted reverse proxy put in X-Forwarded-For. An untrusted client could write any
 * X-Forwarded-For it likes, so the header counts only when the operator says a proxy
 * is in front (TRUST_PROXY=1).
 */
export function clientIdentity(request: Request, socketAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  return socketAddress ?? 'unknown';
}
