import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { parseRoom } from '../chat/chat-input.ts';
import { parseCursor, type Cursor } from '../chat/cursor.ts';
import { IdempotencyConflictError, type MessageStore } from '../chat/message-store.ts';
import type { SharedRateLimiter, SharedWaiterCount } from '../cluster/shared-limits.ts';
import { servedBy } from '../cluster/workers.ts';
import type { SiteConfig } from '../config.ts';
import { assertAllowedOrigin } from '../http/allowed-origin.ts';
import { clientIdentity } from '../http/client-identity.ts';
import { badRequest, HttpError, serviceUnavailable } from '../http/http-error.ts';
import { readQuery } from '../http/query-params.ts';
import { createRateLimiter } from '../limits/rate-limiter.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { CLOSE_CODES, parseClientFrame, ProtocolViolation, type ServerMessage } from './socket-protocol.ts';
import { refuseUpgrade } from './upgrade-refusal.ts';

/**
 * Who is asking, for per-client limits, from an upgrade request: the same identity the HTTP routes
 * use (`clientIdentity`: the socket's address, or the proxy's X-Forwarded-For with TRUST_PROXY=1).
 */
export function upgradeClientIdentity(trustProxy: boolean): (request: IncomingMessage) => string {
  return (request) => {
    const forwarded = request.headers['x-forwarded-for'];
    const headers: Record<string, string> = typeof forwarded === 'string' ? { 'x-forwarded-for': forwarded } : {};
    return clientIdentity(new Request('http://localhost/', { headers }), request.socket.remoteAddress, trustProxy);
  };
}

/** Where the chat's WebSocket lives: `/api/chat/socket?room=NAME[&after=CURSOR]`. */
export const SOCKET_PATH = '/api/chat/socket';
/** The server pings, and sends a `heartbeat` message, this often; a peer silent for a whole period is dropped. */
export const SOCKET_HEARTBEAT_MS = 15_000;
/** Sockets open at once, across all visitors. */
export const SOCKETS_MAX_TOTAL = 2_000;
/** Sockets one client may hold at once (lifted by `RATE_LIMITS=off`); counted across processes with Redis. */
export const SOCKETS_PER_CLIENT = 4;
/** Bytes queued for one client and not yet taken by its network past which it counts as not reading. */
export const SOCKET_MAX_BUFFERED_BYTES = 64 * 1024;
/** How long a closing handshake may take before the connection is simply cut. */
export const SOCKET_CLOSE_GRACE_MS = 2_000;
/** Sent with a refusal over a limit (close 1013/4429): the client waits at least this long. */
export const SOCKET_RETRY_AFTER_MS = 5_000;

/** Posts per second, with bursts of twice that, as for HTTP posts. */
const BURST_SECONDS = 2;

export interface ChatSocketLimits {
  maxTotal: number;
  maxPerClient: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
}

export interface ChatSocketServerOptions {
  store: MessageStore;
  config: Pick<SiteConfig, 'perClientLimits' | 'allowedOrigins' | 'bodyMaxBytes' | 'messageMaxChars' | 'postsPerSecond'>;
  stats: ServerStats;
  /** Aborted at shutdown: every socket closes with 1001 and new upgrades get 503. */
  shutdownSignal?: AbortSignal;
  /** Who is asking, for per-client limits (the same identity the HTTP routes use). */
  clientOf: (request: IncomingMessage) => string;
  limits?: Partial<ChatSocketLimits>;
  /**
   * With several processes (`REDIS_URL`): the client's open sockets and its posts counted across
   * all of them (`SharedChatLimits.sockets` and `.posts`, the bucket HTTP posts spend too). This
   * process then counts only its own total of sockets.
   */
  shared?: { posts: SharedRateLimiter; sockets: SharedWaiterCount };
  /** This process's name, sent as `X-Served-By` with the 101 answer, as every HTTP answer carries it. */
  servedBy?: string;
}

export interface ChatSocketServer {
  /**
   * For the HTTP server's `upgrade` event. Refuses with a JSON HTTP answer before the upgrade:
   * 404 another path, 403 a page of another origin (cross-site WebSocket hijacking: browsers
   * apply no CORS to WebSocket, so the Origin header is the only defence), 400 a bad room or
   * cursor, 503 while shutting down or (with `shared`) while the shared counts in Redis cannot be
   * reached, with `Retry-After`. Over a connection limit it upgrades, says why in an `error`
   * message and closes with 1013 (server full) or 4429 (this client holds too many, across every
   * process with `shared`).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Sockets open now. */
  readonly open: number;
  /** Closes every socket with 1001 (going away); resolves once they are all closed. */
  close(): Promise<void>;
}

/** The chat over WebSocket, on the same `MessageStore`, cursors and limits as the long poll and the event stream. */
export function createChatSocketServer({ store, config, stats, shutdownSignal, clientOf, limits = {}, shared, servedBy: name = servedBy() }: ChatSocketServerOptions): ChatSocketServer {
  const { maxTotal = SOCKETS_MAX_TOTAL, maxPerClient = SOCKETS_PER_CLIENT, heartbeatMs = SOCKET_HEARTBEAT_MS, maxBufferedBytes = SOCKET_MAX_BUFFERED_BYTES } = limits;
  // The largest frame accepted is the largest HTTP post body: the same limit on both transports.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.bodyMaxBytes, perMessageDeflate: false, clientTracking: true });
  // Shared: the per-client count lives in Redis (taken before the upgrade), this process counts its total.
  const quota = createWaiterQuota({ maxTotal, maxPerClient, perClientEnabled: config.perClientLimits && !shared, what: 'WebSocket connections' });
  const postLimiter = createRateLimiter({ perSecond: config.postsPerSecond, burst: config.postsPerSecond * BURST_SECONDS, enabled: config.perClientLimits });
  const sent = stats.createRate('socketMessagesSent');
  stats.addGauge('chatSockets', () => wss.clients.size);
  wss.on('headers', (headers) => headers.push(`X-Served-By: ${name}`));

  const closeAll = () => {
    for (const ws of wss.clients) closeSocket(ws, CLOSE_CODES.goingAway, 'the server is restarting');
  };
  shutdownSignal?.addEventListener('abort', closeAll, { once: true });

  // #region upgrade
  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {}); // a peer that resets mid-handshake is not our failure; ws cleans up
    let room: string;
    let after: Cursor | undefined;
    try {
      const url = requestUrl(request);
      if (url.pathname !== SOCKET_PATH) throw new HttpError(404, 'there is no WebSocket endpoint at this address');
      const origin = request.headers.origin;
      assertAllowedOrigin(new Request(url, { headers: origin ? { origin } : {} }), config.allowedOrigins);
      const query = readQuery(url, ['room', 'after']);
      room = parseRoom(query.get('room'));
      const rawAfter = query.get('after');
      after = rawAfter === undefined || rawAfter === '' ? undefined : parseCursor(rawAfter);
      if (shutdownSignal?.aborted) throw serviceUnavailable('the server is restarting; try again shortly', 2);
    } catch (error) {
      refuseUpgrade(socket, error);
      return;
    }
    const client = clientOf(request);
    const upgrade = () => wss.handleUpgrade(request, socket, head, (ws) => serve(ws, { room, after, client }));
    if (shared) upgradeWithSharedPlace(shared.sockets, { request, socket, head, client }, upgrade);
    else upgrade();
  }
  // #endregion upgrade

  /**
   * With several processes: takes the client's place across all of them before the upgrade. An
   * unreachable Redis is a JSON 503 with Retry-After; a client over its share upgrades to hear why
   * (4429), as in one process. The place is given back when the connection closes, however it ends.
   */
  function upgradeWithSharedPlace(
    places: SharedWaiterCount,
    { request, socket, head, client }: { request: IncomingMessage; socket: Duplex; head: Buffer; client: string },
    upgrade: () => void,
  ): void {
    places.acquire(client).then(
      (releaseShared) => {
        socket.once('close', releaseShared);
        if (socket.destroyed) return releaseShared(); // the client left while Redis was asked
        if (shutdownSignal?.aborted) return refuseUpgrade(socket, serviceUnavailable('the server is restarting; try again shortly', 2));
        upgrade();
      },
      (error: unknown) => {
        if (error instanceof HttpError && error.status === 429) wss.handleUpgrade(request, socket, head, (ws) => refuse(ws, error));
        else refuseUpgrade(socket, error);
      },
    );
  }

  /** Says why in an `error` message, then closes: 4429 for a client over its share, 1013 for a full server. */
  function refuse(ws: WebSocket, refusal: HttpError): void {
    ws.on('error', () => {}); // deliberate no-op, as in serve
    send(ws, { type: 'error', error: refusal.message, retryAfterMs: SOCKET_RETRY_AFTER_MS });
    closeSocket(ws, refusal.status === 429 ? CLOSE_CODES.tooManyConnections : CLOSE_CODES.tryAgainLater, refusal.status === 429 ? 'too many connections from this client' : 'the server is full');
  }

  function serve(ws: WebSocket, { room, after, client }: { room: string; after?: Cursor; client: string }): void {
    ws.on('error', () => {}); // deliberate no-op: ws closes a bad peer itself (1002, 1007, 1009) and 'close' follows
    let release: () => void;
    try {
      release = quota.acquire(client);
    } catch (error) {
      refuse(ws, error as HttpError);
      return;
    }
    const stop = new AbortController();
    // The pump stops when this client goes or the server shuts down, whichever comes first.
    const pumpSignal = shutdownSignal ? AbortSignal.any([stop.signal, shutdownSignal]) : stop.signal;

    // #region heartbeat
    // Every period: a peer that has not answered the last ping is dropped; otherwise ping again and
    // tell the page (which cannot see pings) that the server is still there.
    let answered = true;
    ws.on('pong', () => (answered = true));
    const heartbeat = setInterval(() => {
      if (!answered) {
        closeSocket(ws, CLOSE_CODES.heartbeatMissed, 'no pong within a heartbeat');
        return;
      }
      answered = false;
      ws.ping();
      deliver({ type: 'heartbeat' });
    }, heartbeatMs);
    // #endregion heartbeat

    ws.once('close', () => {
      clearInterval(heartbeat);
      stop.abort();
      release();
    });

    // #region backpressure
    /** Sends, unless the client has stopped reading: then it is dropped rather than buffered for without end. */
    function deliver(message: ServerMessage): void {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > maxBufferedBytes) {
        closeSocket(ws, CLOSE_CODES.slowConsumer, 'you are not reading what you are sent');
        return;
      }
      send(ws, message);
      sent.add();
    }
    // #endregion backpressure

    // #region posts
    ws.on('message', (data, isBinary) => {
      let post;
      try {
        post = parseClientFrame(data, isBinary, room, config.messageMaxChars);
      } catch (error) {
        if (error instanceof ProtocolViolation) closeSocket(ws, error.code, error.message);
        else {
          console.error('Reading a chat socket frame failed:', error);
          closeSocket(ws, 1011, 'internal error');
        }
        return;
      }
      if (post.type === 'refused') {
        deliver({ type: 'error', key: post.key, error: post.error });
        return;
      }
      // Stop reading while the store works: a client that floods posts feels TCP backpressure.
      ws.pause();
      // As over HTTP: in one process the rate token is spent only for a new message (`admit`), so a
      // retried post that was stored is free; shared, the client's one bucket in Redis is spent first.
      const admitted = shared ? shared.posts.take(client, 'messages') : Promise.resolve();
      admitted.then(() => store.append(post.draft, { admit: shared ? undefined : () => postLimiter.take(client, 'messages') })).then(
        ({ message, repeated }) => deliver({ type: 'posted', key: post.key, message, repeated }),
        (error: unknown) => {
          if (error instanceof HttpError) {
            const retryAfterSeconds = Number(error.headers['Retry-After'] ?? 0);
            deliver({ type: 'error', key: post.key, error: error.message, ...(retryAfterSeconds > 0 && { retryAfterMs: retryAfterSeconds * 1_000 }) });
          } else if (error instanceof IdempotencyConflictError) deliver({ type: 'error', key: post.key, error: error.message });
          else {
            console.error('A chat post over WebSocket failed:', error);
            deliver({ type: 'error', key: post.key, error: 'internal error' });
          }
        },
      ).finally(() => ws.resume());
    });
    // #endregion posts

    // #region pump
    const pump = async () => {
      const first = await store.read(room, after);
      deliver({ type: 'position', cursor: first.cursor, heartbeatMs });
      deliver(first.reset
        ? { type: 'reset', messages: first.messages, cursor: first.cursor }
        : { type: 'messages', messages: first.messages, cursor: first.cursor, ...(first.gap && { gap: true as const }) });
      let cursor = parseCursor(first.cursor, 'cursor');
      while (!pumpSignal.aborted) {
        const news = await store.waitForMessagesAfter(room, cursor, { timeoutMs: heartbeatMs, signal: pumpSignal });
        if (pumpSignal.aborted) break;
        if (news.reset) deliver({ type: 'reset', messages: news.messages, cursor: news.cursor });
        else if (news.messages.length > 0 || news.gap) {
          deliver({ type: 'messages', messages: news.messages, cursor: news.cursor, ...(news.gap && { gap: true as const }) });
        }
        cursor = parseCursor(news.cursor, 'cursor');
        // An empty answer (the heartbeat period passed) lets other work run before the next wait,
        // so even a store that answered at once could never starve the process.
        if (news.messages.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    // #endregion pump
    pump().catch((error: unknown) => {
      if (error instanceof HttpError) {
        // The store went away (503 while Redis is down): say when to come back, close with 1013.
        const retryAfterSeconds = Number(error.headers['Retry-After'] ?? 0);
        deliver({ type: 'error', error: error.message, retryAfterMs: Math.max(retryAfterSeconds * 1_000, SOCKET_RETRY_AFTER_MS) });
        closeSocket(ws, CLOSE_CODES.tryAgainLater, 'the chat is unavailable right now');
        return;
      }
      console.error('The chat socket failed:', error);
      closeSocket(ws, 1011, 'internal error');
    });
  }

  return {
    handleUpgrade,
    get open() {
      return wss.clients.size;
    },
    async close() {
      closeAll();
      await Promise.all([...wss.clients].map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())))));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

/** Starts the closing handshake; a peer that does not complete it in time is cut off. Safe to call twice. */
function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED) return;
  if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
  setTimeout(() => ws.terminate(), SOCKET_CLOSE_GRACE_MS).unref();
}

/** The request's address as a URL; a Host header that makes no URL is a 400. */
function requestUrl(request: IncomingMessage): URL {
  try {
    return new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  } catch {
    throw badRequest('the Host header or the request target is not a valid address');
  }
}
