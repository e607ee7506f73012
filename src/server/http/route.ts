import { clientIdentity } from './client-identity.ts';
import { errorResponse, jsonResponse, MAX_RETRY_AFTER_SECONDS } from './http-error.ts';

/**
 * One API route's handlers, by method. A handler gets the Web `Request`, the client's
 * identity for per-client limits (see `clientIdentity`) and the site; it returns a
 * `Response` or throws an `HttpError`.
 */
export type RouteHandler<Site> = (request: Request, client: string, site: Site) => Response | Promise<Response>;

export interface Route<Site> {
  GET?: RouteHandler<Site>;
  POST?: RouteHandler<Site>;
  /**
   * HEAD (RFC 9110 §9.3.2): GET's status and headers without a body. Without it, HEAD runs
   * GET and drops the body. Routes whose GET holds the request (a poll, a stream) or changes
   * state give one that answers at once, using `headersOnly`.
   */
  HEAD?: RouteHandler<Site>;
  /** Words added to the 405's reason, e.g. "(GET to read, POST to send)". */
  hint?: string;
}

/** What the server's edge knows about the request beyond the Web `Request`. */
export interface RouteCall<Site> {
  site: Site;
  /** The TCP peer's address, read by the edge when the request arrived (it may have left since). */
  socketAddress: string | undefined;
  trustProxy: boolean;
}

/**
 * The one wrapper of every API route: method dispatch (an unserved method gets a JSON 405
 * with `Allow`, RFC 9110 §15.5.6), client identity, and errors mapped to JSON (an
 * `HttpError` to its status; anything else to a 500 logged once with the method and path).
 * The request's `signal` aborts when its client leaves: a held answer ends then.
 */
// #region serve-route
export async function serveRoute<Site>(route: Route<Site>, request: Request, call: RouteCall<Site>): Promise<Response> {
  const method = request.method.toUpperCase();
  const handler = method === 'HEAD' ? (route.HEAD ?? route.GET) : method === 'GET' || method === 'POST' ? route[method] : undefined;
  if (!handler) return methodNotAllowed(route, method);
  const client = clientIdentity(request, call.socketAddress, call.trustProxy);
  let response: Response;
  try {
    response = await handler(request, client, call.site);
  } catch (error) {
    response = errorResponse(error, `${method} ${new URL(request.url).pathname}`);
  }
  capRetryAfter(response);
  if (method === 'HEAD' && response.body) {
    response.body.cancel().catch(() => {}); // nobody will read it: let a held body release what it holds
    return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
  return response;
}
// #endregion serve-route

/** No answer tells a client to wait longer than `MAX_RETRY_AFTER_SECONDS`, whoever set the header. */
function capRetryAfter(response: Response): void {
  const value = response.headers.get('retry-after');
  if (value === null || !(Number(value) > MAX_RETRY_AFTER_SECONDS)) return;
  response.headers.set('Retry-After', String(MAX_RETRY_AFTER_SECONDS));
}

/** The methods a route serves, for `Allow`. */
export function allowedMethods<Site>(route: Route<Site>): string[] {
  return [route.GET && 'GET', route.GET && 'HEAD', route.POST && 'POST'].filter((method): method is string => Boolean(method));
}

function methodNotAllowed<Site>(route: Route<Site>, method: string): Response {
  const list = allowedMethods(route).join(', ');
  return jsonResponse(
    { error: `${method.slice(0, 20)} is not allowed here; use ${list}${route.hint ? ` ${route.hint}` : ''}` },
    { status: 405, headers: { Allow: list } },
  );
}

/**
 * A HEAD answer for a route whose GET holds the request or changes state: status 200 and the
 * headers its GET sends at once, no body, nothing held, nothing changed.
 * @param contentType e.g. `text/event-stream`
 */
export function headersOnly(contentType: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers } });
}
