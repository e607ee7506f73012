// The process's HTTP server around the built site: the server's own limits, the security
// headers, the refusals at the edge, the built files, and the site's API (api-edge.ts) on the
// one site of this process. A cluster worker or a WebSocket `upgrade`
// listener starts from `createHttpServer` and the same `site`.
import { existsSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { SiteConfig } from '../src/server/config.ts';
import { createClientFaultLog } from '../src/server/http/client-fault-log.ts';
import { securityHeaders } from '../src/server/http/security-headers.ts';
import type { Site } from '../src/server/site.ts';
import { serveApi } from './api-edge.ts';
import { answerClientError, answerJson, refuseAtEdge, refuseConnect, refuseExpectation, unusableAddress } from './malformed-requests.ts';
import { HttpError } from '../src/server/http/http-error.ts';
import { refuseUpgrade } from '../src/server/socket/upgrade-refusal.ts';
import { serveStaticFile } from './static-files.ts';

export interface HttpServerOptions {
  config: SiteConfig;
  site: Site;
  /** The built pages and assets (`dist/client`). */
  clientDir: string;
  /** This process's name for the `X-Served-By` header (`single/PID`, `worker-N/PID`), which the scale-out demo shows. */
  servedBy: string;
}

export function createHttpServer({ config, site, clientDir, servedBy }: HttpServerOptions): http.Server {
  const faults = createClientFaultLog();
  const notFoundPage = path.join(clientDir, '404.html');

  const notFound = (req: IncomingMessage, res: ServerResponse) => () => {
    if (existsSync(notFoundPage)) {
      res.statusCode = 404;
      serveStaticFile(req, res, clientDir, () => answerJson(res, 404, 'there is no such page'), '/404.html');
    } else {
      answerJson(res, 404, 'there is no such page');
    }
  };

  const server = http.createServer(
    {
      maxHeaderSize: 16 * 1024, // a larger header block gets 431
      headersTimeout: config.headersTimeoutMs, // a client must finish sending its headers in time
      requestTimeout: config.requestTimeoutMs, // …and its whole request (not the response: polls may wait)
      // How often Node looks for such clients (default 30 s): a quarter of the shorter timeout, at most 5 s.
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(config.headersTimeoutMs / 4))),
      requireHostHeader: false, // checked by refuseAtEdge, which answers with a JSON reason
    },
    (req, res) => {
      const pathname = (req.url ?? '/').split('?', 1)[0]!;
      for (const [name, value] of Object.entries(securityHeaders(pathname))) res.setHeader(name, value);
      res.setHeader('X-Served-By', servedBy); // which process answered (several with WORKERS)
      if (refuseAtEdge(req, res, config.allowedHosts)) return;
      if (pathname.startsWith('/api/')) {
        serveApi(req, res, pathname, site);
      } else if (req.method === 'GET' || req.method === 'HEAD') {
        serveStaticFile(req, res, clientDir, notFound(req, res));
      } else {
        answerJson(res, 405, `${req.method?.slice(0, 20)} is not allowed for pages; use GET or HEAD`, { Allow: 'GET, HEAD' });
      }
    },
  );
  server.keepAliveTimeout = 5_000;
  // A client that sends its request and then closes its sending side still gets an answer
  // that is ready (see api-edge.ts); Node's default would drop every such request.
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // Unparsable requests, oversized headers, too-slow clients and resets: a JSON reason (when
  // anyone is left to read it), then the connection closes.
  server.on('clientError', (error: Error & { code?: string }, socket) => answerClientError(error, socket, faults));
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => refuseConnect(socket));
  // WebSocket upgrades (the chat's socket, /api/chat/socket): the same Host check as every
  // request, then the site's socket server, with the same store as the HTTP routes.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = unusableAddress(req, config.allowedHosts);
    if (refusal) return refuseUpgrade(socket, new HttpError(refusal.status, refusal.reason));
    site.chatSocket.handleUpgrade(req, socket, head);
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(securityHeaders(undefined))) res.setHeader(name, value);
    refuseExpectation(res);
  });
  return server;
}
