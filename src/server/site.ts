import { createClockFrameHandler } from './clock/clock-frame-handler.ts';
import { readConfig, type SiteConfig } from './config.ts';
import { createShutdown, SHUTDOWN_HOOK } from './shutdown.ts';
import { createServerStats } from './stats/server-stats.ts';

/** Wires every feature of the server together from one configuration. */
export function createSite(config: SiteConfig) {
  const stats = createServerStats();
  const shutdown = createShutdown();
  return {
    config,
    stats,
    shutdown,
    handleClockFrame: createClockFrameHandler({
      stats,
      maxOpenStreams: config.maxClockStreams,
      shutdownSignal: shutdown.signal,
    }),
  };
}

export type Site = ReturnType<typeof createSite>;

/** The one instance the API routes share. */
export const site: Site = createSite(readConfig());
(globalThis as Record<symbol, unknown>)[SHUTDOWN_HOOK] = () => site.shutdown.run();
