// The built pages and assets (dist/client), served with precompressed Brotli or gzip
// variants when the client accepts them (written next to each file by scripts/precompress.ts).
// Only files are compressed: API answers, and above all held ones (a clock frame, an event
// stream, a long poll), never pass through here.
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentType } from 'mime-types';
import send from 'send';
import { OUT_OF_FILES_RETRY_SECONDS, retryAfterValue } from '../src/server/http/http-error.ts';
import { answerJson } from './malformed-requests.ts';

/** Encodings the build writes next to a file, best first (RFC 9110 §8.4.1 content codings). */
export const PRECOMPRESSED = [
  { coding: 'br', extension: '.br' },
  { coding: 'gzip', extension: '.gz' },
] as const;


/**
 * The content codings a client accepts (RFC 9110 §12.5.3 Accept-Encoding), with their
 * weights; `*` stands for any coding not named.
 */
export function acceptedCodings(header: string | undefined): (coding: string) => boolean {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  return (coding) => (weights.get(coding) ?? weights.get('*') ?? 0) > 0;
}

/**
 * Serves `GET`/`HEAD` for a file of `root`, or calls `notFound` when there is none. A path
 * ending in `/` (or naming a folder) means its `index.html`. Under EMFILE/ENFILE (no file
 * descriptor left) the answer is a complete JSON 503 with Retry-After; an error after the
 * headers went out cuts the connection rather than sending a short body under a false length.
 */
export function serveStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  notFound: () => void,
  pathname = decodeURI((req.url ?? '/').split('?', 1)[0]!),
): void {
  let relative = path.posix.normalize(pathname);
  if (relative.endsWith('/')) relative += 'index.html';
  else if (!path.posix.extname(relative) && isFolder(path.join(root, relative))) relative += '/index.html';

  const accepts = acceptedCodings(req.headers['accept-encoding'] as string | undefined);
  const variant = PRECOMPRESSED.find(({ coding, extension }) => accepts(coding) && existsSync(path.join(root, relative + extension)));
  const type = contentType(path.posix.basename(relative)) || 'application/octet-stream';
  res.setHeader('Vary', 'Accept-Encoding');
  if (variant) {
    res.setHeader('Content-Type', type); // send would name the .br/.gz file's type
    res.setHeader('Content-Encoding', variant.coding);
  }
  const stream = send(req, relative + (variant?.extension ?? ''), { root, dotfiles: 'deny', index: false });
  stream.on('headers', () => {
    if (relative.startsWith('/_astro/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  });
  stream.on('error', (error: Error & { code?: string; status?: number }) => {
    if (res.headersSent) {
      res.destroy(); // never a short body under a full Content-Length
      return;
    }
    res.removeHeader('Content-Encoding');
    res.removeHeader('Content-Type');
    if (error.code === 'EMFILE' || error.code === 'ENFILE') {
      answerJson(res, 503, 'the server is out of open files for a moment; try again shortly', {
        'Retry-After': retryAfterValue(OUT_OF_FILES_RETRY_SECONDS),
      });
    } else if (error.status === 404 || error.status === 403 || error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      notFound();
    } else {
      console.error(`Serving ${relative} failed: ${error.message}`);
      answerJson(res, 500, 'the file could not be read');
    }
  });
  stream.pipe(res);
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
