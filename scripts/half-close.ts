// What the server does when a client half-closes: sends its request, then shuts down its
// sending side (`nc -N`, `printf … | socat`, some scripts and proxies).
//
// Decision: every such client gets a complete answer, at once, and then the connection
// closes (RFC 9112 §9.6). A half-close is indistinguishable from a closed tab, so a request
// the site would HOLD (a long poll, an event stream, a forever frame, a naive wait) is
// treated as one whose client left: its signal aborts, the site releases its place in the
// limits and sends what it sends to a leaving client (an empty poll answer with the cursor,
// the end of the stream). Answers that are ready are sent as usual.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An AbortSignal that aborts when the client half-closes (or the connection closes) while
 * `req` is being answered; the site combines it with the request's own signal.
 */
export function clientDoneSending(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const socket = req.socket;
  const abort = () => controller.abort(new Error('the client closed its side of the connection'));
  if (socket.readableEnded) abort();
  socket.once('end', abort);
  // Until the answer is complete (not the request: a GET's request is over as soon as it arrived).
  res.once('close', () => socket.off('end', abort));
  return controller.signal;
}
