import type { SiteConfig } from '../config.ts';
import { createMessageLog, type MessageLogOptions } from './message-log.ts';
import type { MessageStore } from './message-store.ts';
import { createRedisStore } from './redis-store.ts';

/**
 * The chat's store, chosen by the configuration: Redis when `REDIS_URL` is set (required by
 * `WORKERS` > 1, since every process must see the same rooms), otherwise the embedded file log
 * in `DATA_DIR`, which needs nothing else running.
 */
export function createStore(
  config: Pick<SiteConfig, 'dataDir' | 'redisUrl'>,
  { endSignal, onBatchWritten }: { endSignal?: AbortSignal; onBatchWritten?: MessageLogOptions['onBatchWritten'] } = {},
): MessageStore {
  return config.redisUrl
    ? createRedisStore({ url: config.redisUrl, endSignal })
    : createMessageLog({ dataDir: config.dataDir, endSignal, onBatchWritten });
}
