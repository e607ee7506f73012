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

/** 429/503 always tell the client when to come back. */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, message, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });

export const serviceUnavailable = (message: string, retryAfterSeconds: number) =>
  new HttpError(503, message, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });

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

/** Maps anything thrown by a handler to a response: HttpError as is, anything else as a logged 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    return jsonResponse({ error: error.message }, { status: error.status, headers: error.headers });
  }
  console.error('Unexpected error while handling a request:', error);
  return jsonResponse({ error: 'internal error' }, { status: 500 });
}

/** Runs a handler and turns its thrown errors into JSON error responses. */
export async function handleErrors(handler: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    return errorResponse(error);
  }
}
