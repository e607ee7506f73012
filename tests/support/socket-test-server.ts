import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatSocketServer, type ChatSocketLimits, type ChatSocketServer } from '../../src/server/socket/chat-socket-server.ts';
import { limitKey } from '../../src/server/http/client-identity.ts';
import { readConfig, type SiteConfig } from '../../src/server/config.ts';
import { createServerStats } from '../../src/server/stats/server-stats.ts';
import { createFakeMessageStore, type FakeMessageStore } from './fake-message-store.ts';

export interface SocketTestServer {
  /** e.g. ws://127.0.0.1:40123/api/chat/socket */
  socketUrl: string;
  origin: string;
  store: FakeMessageStore;
  sockets(): ChatSocketServer;
  /** Shuts the socket server down (every socket closes with 1001) and stops listening. */
  stop(): Promise<void>;
  /** Stops, then listens again on the same port over the same store. */
  restart(): Promise<void>;
}

/**
 * A real HTTP server on a free loopback port whose `upgrade` event goes to the chat's socket
 * server, over an in-memory store that outlives restarts.
 */
export async function startSocketTestServer({
  config = {},
  limits = {},
  store = createFakeMessageStore(),
}: { config?: Partial<SiteConfig>; limits?: Partial<ChatSocketLimits>; store?: FakeMessageStore } = {}): Promise<SocketTestServer> {
  let port = 0;
  let server: http.Server;
  let sockets: ChatSocketServer;
  let shutdown: AbortController;
  let stats: ReturnType<typeof createServerStats>;

  const start = async () => {
    shutdown = new AbortController();
    stats = createServerStats();
    sockets = createChatSocketServer({
      store,
      config: { ...readConfig({}), ...config },
      stats,
      shutdownSignal: shutdown.signal,
      clientOf: (request) => limitKey(request.socket.remoteAddress ?? 'unknown'),
      limits,
    });
    server = http.createServer((_request, response) => response.writeHead(404).end());
    server.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    shutdown.abort();
    await sockets.close();
    stats.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  await start();
  return {
    get socketUrl() {
      return `ws://127.0.0.1:${port}/api/chat/socket`;
    },
    get origin() {
      return `http://127.0.0.1:${port}`;
    },
    store,
    sockets: () => sockets,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
