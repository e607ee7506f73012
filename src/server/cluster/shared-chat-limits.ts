import { BURST_SECONDS } from '../chat/chat-handler.ts';
import type { SiteConfig } from '../config.ts';
import { createSharedLimits, type SharedRateLimiter, type SharedWaiterCount } from './shared-limits.ts';

/**
 * The chat's per-client limits in Redis when the site shares its chat through Redis
 * (`REDIS_URL`): the same numbers as one process's limits (`POSTS_PER_SECOND`,
 * `MAX_WAITERS_PER_CLIENT`), counted across every process. Without Redis: `undefined`, and the
 * chat counts in this process.
 */
export function createSharedChatLimits(
  config: Pick<SiteConfig, 'redisUrl' | 'perClientLimits' | 'postsPerSecond' | 'maxChatWaitersPerClient' | 'pollTimeoutMs'>,
  shutdown: { beforeExit(task: () => Promise<void>): void },
): { posts: SharedRateLimiter; heldPolls: SharedWaiterCount } | undefined {
  if (!config.redisUrl) return undefined;
  const limits = createSharedLimits({ url: config.redisUrl, pollTimeoutMs: config.pollTimeoutMs });
  shutdown.beforeExit(() => limits.close());
  return {
    posts: limits.rateLimiter({
      name: 'chat-posts',
      perSecond: config.postsPerSecond,
      burst: config.postsPerSecond * BURST_SECONDS,
      enabled: config.perClientLimits,
    }),
    heldPolls: limits.waiterCount({ name: 'chat-polls', maxPerClient: config.maxChatWaitersPerClient, enabled: config.perClientLimits }),
  };
}
