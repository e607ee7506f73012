/**
 * The one way an endpoint reports a client mistake or a limit: a typed error that
 * knows its status code, rendered as `{ "error": "..." }`.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

export const badRequest = (message: string) => new HttpError(400, message);

/** The longest Retry-After the server ever sends, in seconds (clients clamp to 5 minutes too). */
export const MAX_RETRY_AFTER_SECONDS = 300;

/** Seconds a client is asked to wait when the process has run out of file descriptors (EMFILE). */
export const OUT_OF_FILES_RETRY_SECONDS = 5;

/** A Retry-After value (RFC 9110 §10.2.3, delay-seconds): whole seconds from 1 to `MAX_RETRY_AFTER_SECONDS`. */
export function retryAfterValue(seconds: number): string {
  const whole = Number.isFinite(seconds) ? Math.ceil(seconds) : MAX_RETRY_AFTER_SECONDS;
  return String(Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, whole)));
}

/** 429/503 always tell the client when to come back. */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, message, { 'Retry-After': retryAfterValue(retryAfterSeconds) });

export const serviceUnavailable = (message: string, retryAfterSeconds: number) =>
  new HttpError(503, message, { 'Retry-After': retryAfterValue(retryAfterSeconds) });

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
  const bytes = jsonEncoder.encode(JSON.stringify(body));
  // A known length lets the Node adapter send the answer in one write, without chunked framing.
  headers.set('Content-Length', String(bytes.byteLength));
  return new Response(bytes, { ...init, headers });
}
const jsonEncoder = new TextEncoder();

/**
 * Maps anything thrown by a handler to a response: HttpError as is (a Retry-After above
 * `MAX_RETRY_AFTER_SECONDS` is lowered to it), anything else as a 500 logged once with
 * `context` (e.g. "GET /api/stats").
 */
export function errorResponse(error: unknown, context = 'a request'): Response {
  if (error instanceof HttpError) {
    const headers = { ...error.headers };
    if (headers['Retry-After'] !== undefined) headers['Retry-After'] = retryAfterValue(Number(headers['Retry-After']));
    return jsonResponse({ error: error.message }, { status: error.status, headers });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') {
    // Out of file descriptors: the server's state, not a bug; it passes when clients leave.
    return jsonResponse(
      { error: 'the server is out of open files for a moment; try again shortly' },
      { status: 503, headers: { 'Retry-After': retryAfterValue(OUT_OF_FILES_RETRY_SECONDS) } },
    );
  }
  console.error(`Unexpected error while handling ${context}:`, error);
  return jsonResponse({ error: 'internal error' }, { status: 500 });
}
