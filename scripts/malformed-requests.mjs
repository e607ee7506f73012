// Answers for requests that never reach the site's handlers, in the API's own format
// ({"error": "…"} as JSON) rather than Node's or the adapter's bare plain-text replies.

const SECURITY_HEADERS =
  "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: frame-ancestors 'none'\r\n";

/** What Node's parser or timers report, mapped to a status and a reason a client can read. */
const CLIENT_ERRORS = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request headers are too large'],
  // Headers or body too slow (headersTimeout, requestTimeout): Node reports both with this code.
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time'],
};
const BAD_REQUEST = [400, 'Bad Request', 'the request is not valid HTTP'];

/**
 * Refuses, with a JSON 400, an address the adapter would mishandle: one it cannot
 * percent-decode (it would answer a plain-text 400), a target that is not a path, or a
 * missing Host or one that makes no URL (it would quietly serve the home page instead).
 * Returns true when it answered.
 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
 */
export function refuseUnusableAddress(req, res) {
  const reason = unusableAddressReason(req.url ?? '', req.headers.host, req.httpVersion);
  if (reason === undefined) return false;
  res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: reason }));
  return true;
}

// #region unusable-address
/** @param {string} target @param {string | undefined} host @param {string} httpVersion */
function unusableAddressReason(target, host, httpVersion) {
  if (!target.startsWith('/')) return 'the request target must be a path that starts with "/"';
  // HTTP/1.1 requires Host (serve.mjs turns off Node's own check, which answers without a body).
  if (host === undefined && httpVersion !== '1.0') return 'the Host header is missing';
  // An empty Host would make "http:///path", which URL parsing quietly reads as another host.
  if (host === '') return 'the Host header is empty';
  try {
    decodeURI(target);
  } catch {
    return 'the address contains an invalid percent-encoding';
  }
  if (!URL.canParse(`http://${host ?? 'localhost'}${target}`)) return 'the Host header is not a valid host name';
  return undefined;
}
// #endregion unusable-address

/**
 * The server's `clientError` listener: a request Node could not parse, headers too large,
 * or a client too slow to send its request. Answers once, if nothing was sent yet on this
 * connection, then closes it, as Node's default would, but with a JSON reason.
 * @param {Error & { code?: string }} error @param {import('node:stream').Duplex & { _httpMessage?: { headersSent?: boolean } }} socket
 */
export function answerClientError(error, socket) {
  const responseStarted = socket._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || responseStarted) {
    socket.destroy(); // nobody to tell, or a response already under way that must not be corrupted
    return;
  }
  const [status, statusText, reason] = CLIENT_ERRORS[error.code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify({ error: reason });
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n${SECURITY_HEADERS}Connection: close\r\n\r\n${body}`,
    () => socket.destroy(), // sent: close, even if the client keeps sending
  );
}

/**
 * The server's `checkExpectation` listener: an `Expect` header other than `100-continue`,
 * which Node would refuse with a bare 417.
 * @param {import('node:http').ServerResponse} res
 */
export function refuseExpectation(res) {
  res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
  res.end(JSON.stringify({ error: 'the Expect header asks for something this server does not do' }));
}
