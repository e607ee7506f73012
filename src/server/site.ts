import { createClockFrameHandler } from './clock/clock-frame-handler.ts';
import { readConfig, type SiteConfig } from './config.ts';
import { createServerStats } from './stats/server-stats.ts';

/** Wires every feature of the server together from one configuration. */
export function createSite(config: SiteConfig) {
  const stats = createServerStats();
  return {
    config,
    stats,
    handleClockFrame: createClockFrameHandler({ stats, maxOpenStreams: config.maxClockStreams }),
  };
}

export type Site = ReturnType<typeof createSite>;

/** The one instance the API routes share. */
export const site: Site = createSite(readConfig());
