import { createChatHandler } from './chat/chat-handler.ts';
import { createStore } from './chat/create-store.ts';
import { createClusterStats, type StatsAnswer } from './cluster/cluster-stats.ts';
import { createSharedChatLimits } from './cluster/shared-chat-limits.ts';
import { servedBy } from './cluster/workers.ts';
import { createClockFrameHandler } from './clock/clock-frame-handler.ts';
import type { SiteConfig } from './config.ts';
import { createFaultHandler } from './faults/fault-handler.ts';
import { createFaultSwitchboard } from './faults/fault-switchboard.ts';
import { createRateLimiter } from './limits/rate-limiter.ts';
import { createIdleLoad, LOAD_RATE_LIMIT } from './naive/idle-load.ts';
import { createNaiveBackend, WRITE_RATE_LIMIT } from './naive/naive-backend.ts';
import { createChangingCounter } from './polling/changing-counter.ts';
import { createCounterHandler, POLL_RATE_LIMIT } from './polling/counter-handler.ts';
import { jsonResponse } from './http/http-error.ts';
import { readQuery } from './http/query-params.ts';
import { serveRoute, type Route, type RouteCall } from './http/route.ts';
import { createShutdown } from './shutdown.ts';
import { createChatSocketServer, upgradeClientIdentity } from './socket/chat-socket-server.ts';
import { createChatEventsHandler } from './sse/chat-events-handler.ts';
import { createLogWriteStats } from './stats/log-write-stats.ts';
import { createServerStats } from './stats/server-stats.ts';

function createFeatures(config: SiteConfig) {
  const stats = createServerStats();
  const shutdown = createShutdown();
  const faults = createFaultSwitchboard();
  const chatStore = createStore(config, { endSignal: shutdown.signal, onBatchWritten: createLogWriteStats(stats).record });
  shutdown.beforeExit(() => chatStore.close()); // every accepted message on disk, then the file closed
  const shared = createSharedChatLimits(config, shutdown); // with REDIS_URL: per-client limits across processes
  const name = servedBy();
  const cluster = createClusterStats({ redisUrl: config.redisUrl, servedBy: name, snapshot: () => stats.snapshot() });
  shutdown.beforeExit(() => cluster.close()); // this process leaves the totals at once
  const naive = createNaiveBackend({
    dataDir: config.dataDir,
    stats,
    writeLimiter: createRateLimiter({ ...WRITE_RATE_LIMIT, enabled: config.perClientLimits }),
    maxWaiters: config.maxNaiveWaiters,
    perClientLimits: config.perClientLimits,
    shutdownSignal: shutdown.signal,
  });
  const chatSocket = createChatSocketServer({
    store: chatStore,
    config,
    stats,
    shutdownSignal: shutdown.signal,
    clientOf: upgradeClientIdentity(config.trustProxy),
    shared,
    servedBy: name,
  });
  shutdown.beforeExit(() => chatSocket.close()); // every socket closed with 1001 (going away)
  return {
    config,
    stats,
    shutdown,
    chatSocket,
    handleClockFrame: createClockFrameHandler({
      stats,
      maxOpenStreams: config.maxClockStreams,
      maxStreamsPerClient: config.maxClockStreamsPerClient,
      perClientLimits: config.perClientLimits,
      shutdownSignal: shutdown.signal,
    }),
    chat: createChatHandler({ store: chatStore, stats, faults, config, shared }),
    handleFaultRequest: createFaultHandler({ faults, config }),
    handleChatEvents: createChatEventsHandler({ store: chatStore, stats, config, shutdownSignal: shutdown.signal, sharedStreams: shared?.eventStreams }),
    handlePollingCounter: createCounterHandler({
      counter: createChangingCounter(),
      rateLimiter: createRateLimiter({ ...POLL_RATE_LIMIT, enabled: config.perClientLimits }),
    }),
    /**
     * `GET /api/stats`: this process's gauges and counters, its name, and (`cluster`) every live
     * process's figures with the totals of those that add up (see `createClusterStats`), as JSON;
     * no query parameters (400 otherwise).
     */
    async handleStats(request: Request): Promise<Response> {
      readQuery(new URL(request.url), []);
      const own = stats.snapshot();
      const across = await cluster.read(own);
      const answer: StatsAnswer = { ...own, servedBy: name, ...(across && { cluster: across }) };
      return jsonResponse(answer);
    },
    handleNaiveBackend: naive.handleNaiveBackend,
    handleNaiveLoad: createIdleLoad({
      hold: naive.holdIdleWaiter,
      freePlaces: naive.freeWaiterPlaces,
      stats,
      rateLimiter: createRateLimiter({ ...LOAD_RATE_LIMIT, enabled: config.perClientLimits }),
      config,
    }),
  };
}

export type SiteFeatures = ReturnType<typeof createFeatures>;

/** The site: its features, and the one way an API route is served. */
export interface Site extends SiteFeatures {
  /**
   * Serves one API route of `API_ROUTES` (see `serveRoute`): called by the server's edge
   * (`scripts/api-edge.ts`), or under `astro dev` by `src/pages/api/[...path].ts`.
   * @param edge what the server's edge knows beyond the request (see `RouteCall`)
   */
  serve(route: Route<Site>, request: Request, edge: Pick<RouteCall<Site>, 'socketAddress'>): Promise<Response>;
}

/**
 * Wires every feature of the server together from one configuration. Created once by the
 * server's entry (`scripts/serve.ts`) at start and handed to its edge; tests create their own.
 */
export function createSite(config: SiteConfig): Site {
  const site: Site = {
    ...createFeatures(config),
    serve: (route, request, edge) => serveRoute(route, request, { ...edge, site, trustProxy: config.trustProxy }),
  };
  return site;
}
