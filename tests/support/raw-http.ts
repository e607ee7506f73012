import net from 'node:net';

/** What came back on a raw connection: a parsed response, or nothing before the connection ended. */
export interface RawOutcome {
  /** `undefined` when the server closed the connection without a complete response (cut off). */
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** Time from connecting to the complete response (or to the close, or the give-up). */
  elapsedMs: number;
  /** `true` when `timeoutMs` passed with neither a complete response nor a close: a hang. */
  hung: boolean;
}

export interface RawRequestOptions {
  /** Sends `parts` one by one with this pause in between: a client trickling its request. */
  pauseMs?: number;
  timeoutMs?: number;
  /** Closes the socket this long after sending, without waiting for an answer: a client that vanishes. */
  vanishAfterMs?: number;
  /** The request was a HEAD: the response ends with its headers, whatever Content-Length says. */
  head?: boolean;
}

/**
 * Sends bytes exactly as given (no client library in between to tidy them up) and reads
 * one HTTP/1.1 response: what a hostile or broken client sees.
 */
export function sendRaw(
  port: number,
  parts: ReadonlyArray<string | Uint8Array>,
  { pauseMs = 0, timeoutMs = 5_000, vanishAfterMs, head = false }: RawRequestOptions = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (hung: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ ...parseResponse(received), elapsedMs: performance.now() - startedAt, hung });
    };
    const giveUp = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const response = parseResponse(received);
      // A stream (a forever frame, an event stream) never completes: its headers are the answer.
      if (response.complete || (response.status !== undefined && (head || isStream(response)))) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('connect', async () => {
      for (const [index, part] of parts.entries()) {
        if (settled || socket.destroyed) return;
        if (index > 0 && pauseMs > 0) await new Promise((wait) => setTimeout(wait, pauseMs));
        if (settled || socket.destroyed) return;
        socket.write(part);
      }
      if (vanishAfterMs !== undefined) setTimeout(() => finish(false), vanishAfterMs);
    });
  });
}

function isStream({ status = 0, headers }: ParsedResponse): boolean {
  return status < 300 && /^text\/(html|event-stream)/.test(headers['content-type'] ?? '') && headers['transfer-encoding'] === 'chunked';
}

interface ParsedResponse {
  status?: number;
  headers: Record<string, string>;
  body: string;
  complete: boolean;
}

/** Just enough HTTP/1.1 to read one response: a status line, headers, and a sized or chunked body. */
export function parseResponse(bytes: Buffer): ParsedResponse {
  // Interim answers (100 Continue) come before the real one: skip them.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 13).toString('latin1'))) {
    const interimEnd = bytes.indexOf('\r\n\r\n');
    if (interimEnd === -1) return { headers: {}, body: '', complete: false };
    bytes = bytes.subarray(interimEnd + 4);
  }
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) return { headers: {}, body: '', complete: false };
  const [statusLine = '', ...headerLines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(headEnd + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const { body, complete } = decodeChunked(rest);
    return { status, headers, body: body.toString('utf8'), complete };
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status, headers, body: rest.subarray(0, length).toString('utf8'), complete: rest.byteLength >= length };
}

function decodeChunked(bytes: Buffer): { body: Buffer; complete: boolean } {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd === -1) return { body: Buffer.concat(chunks), complete: false };
    const size = parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(chunks), complete: false };
    if (size === 0) return { body: Buffer.concat(chunks), complete: true };
    const start = lineEnd + 2;
    if (bytes.byteLength < start + size + 2) return { body: Buffer.concat(chunks), complete: false };
    chunks.push(bytes.subarray(start, start + size));
    offset = start + size + 2;
  }
}
