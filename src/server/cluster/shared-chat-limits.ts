import { BURST_SECONDS } from '../chat/chat-handler.ts';
import type { SiteConfig } from '../config.ts';
import { SOCKETS_PER_CLIENT } from '../socket/chat-socket-server.ts';
import { SSE_STREAMS_PER_CLIENT } from '../sse/chat-events-handler.ts';
import { createSharedLimits, type SharedRateLimiter, type SharedWaiterCount } from './shared-limits.ts';

/** The chat's per-client limits, counted across every process. */
export interface SharedChatLimits {
  /** Posts, over HTTP and over the socket alike: one client's posts spend one bucket. */
  posts: SharedRateLimiter;
  /** Held long polls (`MAX_WAITERS_PER_CLIENT`). */
  heldPolls: SharedWaiterCount;
  /** Open event streams (`SSE_STREAMS_PER_CLIENT`), as leases renewed while a stream is open. */
  eventStreams: SharedWaiterCount;
  /** Open WebSockets (`SOCKETS_PER_CLIENT`), as leases renewed while a socket is open. */
  sockets: SharedWaiterCount;
}

/**
 * The chat's per-client limits in Redis when the site shares its chat through Redis
 * (`REDIS_URL`): the same numbers as one process's limits (`POSTS_PER_SECOND`,
 * `MAX_WAITERS_PER_CLIENT`, event streams and sockets per client), counted across every
 * process. Without Redis: `undefined`, and each feature counts in this process.
 */
export function createSharedChatLimits(
  config: Pick<SiteConfig, 'redisUrl' | 'perClientLimits' | 'postsPerSecond' | 'maxChatWaitersPerClient' | 'pollTimeoutMs'>,
  shutdown: { beforeExit(task: () => Promise<void>): void },
): SharedChatLimits | undefined {
  if (!config.redisUrl) return undefined;
  const limits = createSharedLimits({ url: config.redisUrl, pollTimeoutMs: config.pollTimeoutMs });
  shutdown.beforeExit(() => limits.close());
  const enabled = config.perClientLimits;
  return {
    posts: limits.rateLimiter({ name: 'chat-posts', perSecond: config.postsPerSecond, burst: config.postsPerSecond * BURST_SECONDS, enabled }),
    heldPolls: limits.waiterCount({ name: 'chat-polls', maxPerClient: config.maxChatWaitersPerClient, enabled }),
    eventStreams: limits.waiterCount({ name: 'chat-events', maxPerClient: SSE_STREAMS_PER_CLIENT, enabled, what: 'event streams', renewed: true }),
    sockets: limits.waiterCount({ name: 'chat-sockets', maxPerClient: SOCKETS_PER_CLIENT, enabled, what: 'WebSocket connections', renewed: true }),
  };
}
