// The site's API at the server's edge: a Node request becomes a Web `Request`, its route in
// `API_ROUTES` answers a Web `Response`, and the response is written back to Node. Nothing
// else sits between the two: a held request costs its socket, its `Request` and its place in
// the store's waiters (a framework's request context, a stream and a reader per held poll
// cost more than the rest of the poll together; see the scale-out lesson's "one process first").
//
// Half-closed clients: every such client gets a complete answer (RFC 9112 §9.6), then the
// connection closes. A half-close looks just like a closed tab, so a GET the site would HOLD
// (a long poll, an event stream, a forever frame, a naive wait) is treated as one whose client
// left: its signal aborts, and the site sends what it sends to a leaving client (an empty poll
// answer with the cursor, the end of the stream). Answers that are ready go out as usual; a
// POST's body is read whole before anything waits, so a POST is never aborted by a half-close.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_ROUTES, NO_SUCH_ENDPOINT } from '../src/server/api-routes.ts';
import { heldBodyOf } from '../src/server/http/deferred-json-response.ts';
import type { Site } from '../src/server/site.ts';
import { answerJson } from './malformed-requests.ts';

/**
 * Serves one `/api/…` request: a JSON 404 for a path no route serves; otherwise the route
 * through `site.serve` (methods, client identity, errors as JSON, see `serveRoute`).
 * Never throws; a failure of the site itself is logged once and answered 500 when nothing was sent.
 */
export function serveApi(req: IncomingMessage, res: ServerResponse, pathname: string, site: Site): void {
  const route = API_ROUTES.get(pathname);
  if (!route) return answerJson(res, 404, NO_SUCH_ENDPOINT);
  let request: Request;
  try {
    request = webRequestOf(req, res);
  } catch {
    // The edge refuses what cannot make a URL before this point; anything left is still the client's.
    return answerJson(res, 400, 'the request cannot be read as an HTTP request to this site');
  }
  site.serve(route, request, { socketAddress: req.socket.remoteAddress })
    .then((response) => writeResponse(response, res))
    .catch((error: unknown) => {
      console.error(`${req.method} ${pathname} failed:`, error);
      if (!res.headersSent) answerJson(res, 500, 'the server failed to answer this request');
      else res.destroy();
    });
}

/**
 * The Web `Request` for `req` (WHATWG Fetch §5.4). Its signal aborts when the client leaves
 * before its answer is complete and, for a GET, when the client half-closes. A POST's body is
 * `req` itself, read as it arrives (the route reads it with its own size limit).
 */
export function webRequestOf(req: IncomingMessage, res: ServerResponse): Request {
  const method = req.method ?? 'GET';
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const controller = new AbortController();
  // The edge refused every target that is not a path and every Host that is not host[:port].
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const withBody = method !== 'GET' && method !== 'HEAD';
  const request = new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(withBody ? { body: req as unknown as AsyncIterable<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
  new ClientPresence(req, res, controller, request, withBody);
  return request;
}

/**
 * Aborts a request's signal when its client goes away before the answer is complete. It keeps
 * the `Request` reachable for that long: undici links the request's own signal to the one it
 * follows through a weak reference, and a held poll keeps only the signal, so a `Request`
 * nobody holds could be garbage-collected and its abort never arrive.
 */
class ClientPresence {
  readonly #res: ServerResponse;
  readonly #controller: AbortController;
  readonly #request: Request;
  readonly #socket: IncomingMessage['socket'];
  readonly #followsHalfClose: boolean;
  constructor(req: IncomingMessage, res: ServerResponse, controller: AbortController, request: Request, withBody: boolean) {
    this.#res = res;
    this.#controller = controller;
    this.#request = request;
    this.#socket = req.socket;
    this.#followsHalfClose = !withBody;
    res.once('close', this.#closed);
    if (!this.#followsHalfClose) return;
    if (this.#socket.readableEnded) this.#leave('the client closed its side of the connection');
    else this.#socket.once('end', this.#halfClosed);
  }

  readonly #closed = () => {
    if (this.#followsHalfClose) this.#socket.off('end', this.#halfClosed);
    if (!this.#res.writableFinished) this.#leave('the client left');
  };
  readonly #halfClosed = () => this.#leave('the client closed its side of the connection');

  #leave(reason: string) {
    if (this.#request.signal.aborted) return;
    this.#controller.abort(new Error(reason));
  }
}

/**
 * How long a streamed answer may wait for its client to take a write (Node's `drain`) before
 * the connection is cut, in milliseconds: a client that stops reading holds its connection and
 * what waits for it (the stream's queue, Node's buffer) at most this long. The same rule as
 * nginx's `send_timeout` (60 s by default): a limit between two successive writes, not on the
 * whole answer, so a stream that is read keeps going.
 */
export const SEND_TIMEOUT_MS = 60_000;

/**
 * Writes a Web `Response` to Node's response. A held answer (`heldBodyOf`) sends its headers
 * at once and its bytes when known, with no stream in between; a body of known length is sent
 * in one write; any other body (an event stream, a forever frame) is streamed as it comes,
 * waiting for `drain` when the client reads slower than the body arrives (so a slow reader
 * holds at most the stream's own buffer, never an unbounded queue in Node), and cutting the
 * connection when no `drain` comes within {@link SEND_TIMEOUT_MS}.
 */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    res.setHeader(name, name === 'set-cookie' ? response.headers.getSetCookie() : value);
  }
  const held = heldBodyOf(response);
  if (held) {
    res.flushHeaders();
    const bytes = await held;
    if (res.destroyed) return; // the client left while it waited
    if (bytes) res.end(bytes);
    else res.destroy(); // the answer failed after its status was sent: cut, the client retries
    return;
  }
  const body = response.body;
  if (!body) return void res.end();
  if (response.headers.has('content-length')) {
    res.end(new Uint8Array(await response.arrayBuffer()));
    return;
  }
  res.flushHeaders();
  await pump(body, res);
}

async function pump(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value) && !(await drained(res))) {
        res.destroy(); // the client has taken nothing for SEND_TIMEOUT_MS: it leaves, and so does what waits for it
        return;
      }
    }
    res.end();
  } catch {
    res.destroy(); // the body failed mid-way (its maker logged why): cut, the client retries
  } finally {
    res.off('close', cancel);
  }
}

/** Resolves `true` once Node's buffer for `res` has drained (or the connection closed), `false` after SEND_TIMEOUT_MS. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (drainedInTime: boolean) => () => {
      clearTimeout(timer);
      res.off('drain', done);
      res.off('close', done);
      resolve(drainedInTime);
    };
    const done = finish(true);
    const timer = setTimeout(finish(false), SEND_TIMEOUT_MS);
    res.once('drain', done);
    res.once('close', done);
  });
}
