import { badRequest, HttpError } from './http-error.ts';

/**
 * Reads a request body that must be JSON, and small. The size is counted as the bytes
 * arrive, so neither a missing nor a false Content-Length lets a client make the server
 * buffer more than `maxBytes`.
 */
// #region read-json-body
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type');
  if (!isJsonType(type)) {
    throw new HttpError(415, `expected Content-Type: application/json; received ${type ? `"${type.slice(0, 60)}"` : 'none'}`);
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const bytes = await readAtMost(request, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest('the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}
// #endregion read-json-body

/** `application/json`, optionally with `charset=utf-8`; JSON in any other charset is not JSON. */
function isJsonType(type: string | null): boolean {
  if (!type) return false;
  const [mediaType, ...parameters] = type.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((parameter) => parameter === '' || parameter === 'charset=utf-8' || parameter === 'charset="utf-8"');
}

async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // A client that hangs up (or is cut off by the server's request timeout) mid-body is
    // a client mistake like any other, not an internal error.
    const { value, done } = await reader.read().catch(() => {
      throw badRequest('the body was cut off before its end');
    });
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Only tells the client's stream we are done with it; the 413 below is the answer either way.
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the body is larger than ${maxBytes} bytes`);
}
