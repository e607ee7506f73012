import { createChatHandler } from './chat/chat-handler.ts';
import { createStore } from './chat/create-store.ts';
import { createSharedChatLimits } from './cluster/shared-chat-limits.ts';
import { createClockFrameHandler } from './clock/clock-frame-handler.ts';
import { readConfig, type SiteConfig } from './config.ts';
import { createFaultHandler } from './faults/fault-handler.ts';
import { createFaultSwitchboard } from './faults/fault-switchboard.ts';
import { warnIfOpenFileLimitLow } from './limits/open-file-limit.ts';
import { createRateLimiter } from './limits/rate-limiter.ts';
import { createIdleLoad, LOAD_RATE_LIMIT } from './naive/idle-load.ts';
import { createNaiveBackend, WRITE_RATE_LIMIT } from './naive/naive-backend.ts';
import { createChangingCounter } from './polling/changing-counter.ts';
import { createCounterHandler, POLL_RATE_LIMIT } from './polling/counter-handler.ts';
import { createShutdown, SHUTDOWN_HOOK } from './shutdown.ts';
import { bridgeLegacyStore } from './socket/legacy-store-bridge.ts';
import { CHAT_SOCKET_HOOK, createChatSocketServer, upgradeClientIdentity } from './socket/chat-socket-server.ts';
import { createChatEventsHandler } from './sse/chat-events-handler.ts';
import { createLogWriteStats } from './stats/log-write-stats.ts';
import { createServerStats } from './stats/server-stats.ts';

/** Wires every feature of the server together from one configuration. */
export function createSite(config: SiteConfig) {
  const stats = createServerStats();
  const shutdown = createShutdown();
  const faults = createFaultSwitchboard();
  const chatStore = createStore(config, { endSignal: shutdown.signal, onBatchWritten: createLogWriteStats(stats).record });
  shutdown.beforeExit(() => chatStore.close()); // every accepted message on disk, then the file closed
  const naive = createNaiveBackend({
    dataDir: config.dataDir,
    stats,
    writeLimiter: createRateLimiter({ ...WRITE_RATE_LIMIT, enabled: config.perClientLimits }),
    maxWaiters: config.maxNaiveWaiters,
    perClientLimits: config.perClientLimits,
    shutdownSignal: shutdown.signal,
  });
  const chatSocket = createChatSocketServer({
    store: bridgeLegacyStore(chatStore),
    config,
    stats,
    shutdownSignal: shutdown.signal,
    clientOf: upgradeClientIdentity(config.trustProxy),
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
    chat: createChatHandler({ store: chatStore, stats, faults, config, shared: createSharedChatLimits(config, shutdown) }),
    handleFaultRequest: createFaultHandler({ faults, config }),
    handleChatEvents: createChatEventsHandler({ store: chatStore, stats, config, shutdownSignal: shutdown.signal }),
    handlePollingCounter: createCounterHandler({
      counter: createChangingCounter(),
      rateLimiter: createRateLimiter({ ...POLL_RATE_LIMIT, enabled: config.perClientLimits }),
    }),
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

export type Site = ReturnType<typeof createSite>;

/** The one instance the API routes share. */
export const site: Site = createSite(readConfig());
warnIfOpenFileLimitLow({
  chatWaiters: site.config.maxChatWaiters,
  sseStreams: site.config.maxSseStreams,
  clockStreams: site.config.maxClockStreams,
  naiveWaiters: site.config.maxNaiveWaiters,
});
(globalThis as Record<symbol, unknown>)[SHUTDOWN_HOOK] = () => site.shutdown.run();
(globalThis as Record<symbol, unknown>)[CHAT_SOCKET_HOOK] = site.chatSocket.handleUpgrade;
