import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError } from '../http/http-error.ts';

/**
 * Refuses a WebSocket upgrade before it happens, the way every other API answer refuses: an
 * HTTP status and a JSON `{ "error": "..." }` body, then the connection closes (RFC 6455 §4.2.2:
 * any status other than 101 means no WebSocket). A browser's `WebSocket` never shows this
 * answer to the page (it only sees a close with code 1006), but curl, tests and logs do.
 * An error that is not an `HttpError` is logged and answered as a 500.
 */
export function refuseUpgrade(socket: Duplex, error: unknown): void {
  let status = 500;
  let message = 'internal error';
  let headers: Record<string, string> = {};
  if (error instanceof HttpError) {
    ({ status, message, headers } = error);
  } else {
    console.error('Unexpected error while refusing a WebSocket upgrade:', error);
  }
  const body = JSON.stringify({ error: message });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    'Cache-Control: no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  if (socket.writable) socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  else socket.destroy();
}
