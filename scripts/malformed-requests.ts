// Answers for requests that must never reach the site's handlers, in the API's own format
// ({"error": "…"} as JSON, with the one list of security headers) rather than Node's or the
// adapter's bare plain-text replies, and without a stack trace in the log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientFaultLog } from '../src/server/http/client-fault-log.ts';
import { refuseHost } from '../src/server/http/host-header.ts';
import { securityHeaders } from '../src/server/http/security-headers.ts';

/** Methods the server implements for no resource at all (RFC 9110 §15.6.2: 501). Fetch's Request cannot even hold them. */
const UNIMPLEMENTED_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);

/** What Node's parser or timers report, mapped to a status and a reason a client can read. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request headers are too large'],
  // Headers or body too slow (headersTimeout, requestTimeout): Node reports both with this code.
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time'],
};
const BAD_REQUEST: [number, string, string] = [400, 'Bad Request', 'the request is not valid HTTP'];

/** Writes a whole JSON answer: `{ "error": reason }`, no caching. */
export function answerJson(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: reason });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/**
 * Refuses what the site must not see: a target that is not a path or cannot be
 * percent-decoded, a Host that is not `host[:port]` (RFC 9110 §7.2) or is sent twice (400),
 * a host name the server does not serve (421, see ALLOWED_HOSTS), and methods no route
 * implements (501). Returns true when it answered.
 */
export function refuseAtEdge(req: IncomingMessage, res: ServerResponse, allowedHosts: readonly string[] | null): boolean {
  const method = req.method ?? '';
  if (UNIMPLEMENTED_METHODS.has(method)) {
    answerJson(res, 501, `${method} is not implemented by this server`);
    return true;
  }
  const refusal = unusableAddress(req, allowedHosts);
  if (!refusal) return false;
  answerJson(res, refusal.status, refusal.reason);
  return true;
}

// #region unusable-address
/** Why a request cannot be routed (its target, Host or percent-encoding), or `undefined` when it can. */
export function unusableAddress(req: IncomingMessage, allowedHosts: readonly string[] | null) {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return { status: 400, reason: 'the request target must be a path that starts with "/"' };
  // Node's own Host check is off (it answers without a body): one Host, host[:port] only,
  // because the site builds the request URL from it and a path there would pick another route.
  const hostRefusal = refuseHost(hostFields(req), req.httpVersion, allowedHosts);
  if (hostRefusal) return hostRefusal;
  try {
    decodeURI(target);
  } catch {
    return { status: 400, reason: 'the address contains an invalid percent-encoding' };
  }
  return undefined;
}
// #endregion unusable-address

/**
 * Every Host field line of `req`, read from its raw header lines: Node's `headersDistinct`
 * would build an array for every header of every request to answer the same question.
 */
function hostFields(req: IncomingMessage): string[] {
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') values.push(raw[i + 1]!);
  return values;
}

/**
 * The server's `clientError` listener: a request Node could not parse, headers too large, a
 * client too slow to send its request, or a connection reset. Answers once, if nothing was
 * sent yet on this connection, then closes it, as Node's default would, but with a JSON
 * reason; logs at most one short line per kind of fault per minute (never a stack).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, faults: ClientFaultLog): void {
  const responseStarted = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || responseStarted) {
    faults.note(error.code === 'ECONNRESET' ? 'connection reset by the client' : 'connection unusable after a client error');
    socket.destroy(); // nobody to tell, or a response already under way that must not be corrupted
    return;
  }
  const [status, statusText, reason] = CLIENT_ERRORS[error.code ?? ''] ?? BAD_REQUEST;
  faults.note(`${status} ${reason}`);
  const body = JSON.stringify({ error: reason });
  const headers = Object.entries(securityHeaders(undefined))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n${headers}Connection: close\r\n\r\n${body}`,
    () => socket.destroy(), // sent: close, even if the client keeps sending
  );
}

/**
 * The server's `connect` listener: CONNECT asks the server to be a tunnel (RFC 9110 §9.3.6),
 * which it is not. Node would close the connection without a word.
 */
export function refuseConnect(socket: Duplex): void {
  const body = JSON.stringify({ error: 'CONNECT is not implemented by this server' });
  const headers = Object.entries(securityHeaders(undefined))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 501 Not Implemented\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\n${headers}Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * The server's `checkExpectation` listener: an `Expect` header other than `100-continue`,
 * which Node would refuse with a bare 417 (RFC 9110 §10.1.1).
 */
export function refuseExpectation(res: ServerResponse): void {
  answerJson(res, 417, 'the Expect header asks for something this server does not do', { Connection: 'close' });
}
