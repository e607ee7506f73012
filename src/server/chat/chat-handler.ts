import type { SiteConfig } from '../config.ts';
import { assertAllowedOrigin } from '../http/allowed-origin.ts';
import { deferredJsonResponse } from '../http/deferred-json-response.ts';
import { HttpError, jsonResponse, serviceUnavailable } from '../http/http-error.ts';
import { optionalInteger, readQuery } from '../http/query-params.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { createRateLimiter } from '../limits/rate-limiter.ts';
import { createWaiterQuota } from '../limits/waiter-quota.ts';
import type { FaultSwitchboard } from '../faults/fault-switchboard.ts';
import type { SharedRateLimiter, SharedWaiterCount } from '../cluster/shared-limits.ts';
import type { ServerStats } from '../stats/server-stats.ts';
import { parseChatPost, parseRoom } from './chat-input.ts';
import type { MessageStore, ReadResult } from './message-store.ts';

/** A client may send this many messages at once before the per-second rate applies. */
export const BURST_SECONDS = 2;
/** `timeout=MS` may only shorten the poll; larger values are read as "as long as the server allows". */
const TIMEOUT_PARAM_MAX_MS = 24 * 60 * 60 * 1_000;

export interface ChatHandlerOptions {
  store: MessageStore;
  stats: ServerStats;
  /** Faults the reconnection lesson can ask for, one tab at a time. */
  faults?: FaultSwitchboard;
  /** With several processes (WORKERS): per-client limits counted in Redis, replacing this process's own. */
  shared?: { posts: SharedRateLimiter; heldPolls: SharedWaiterCount };
  /** Limits, with their defaults, come from `readConfig` (BODY_MAX_BYTES, MESSAGE_MAX_CHARS, POSTS_PER_SECOND, …). */
  config: Pick<
    SiteConfig,
    | 'perClientLimits'
    | 'maxChatWaiters'
    | 'maxChatWaitersPerClient'
    | 'pollTimeoutMs'
    | 'allowedOrigins'
    | 'bodyMaxBytes'
    | 'messageMaxChars'
    | 'postsPerSecond'
  >;
}

/** `GET` and `POST /api/chat/messages`: the HTTP side of the chat, over any `MessageStore`. */
export function createChatHandler({ store, stats, faults, config, shared }: ChatHandlerOptions) {
  const { bodyMaxBytes, messageMaxChars, postsPerSecond } = config;
  const postLimiter = createRateLimiter({
    perSecond: postsPerSecond,
    burst: postsPerSecond * BURST_SECONDS,
    enabled: config.perClientLimits,
  });
  const waiterQuota = createWaiterQuota({
    maxTotal: config.maxChatWaiters,
    maxPerClient: config.maxChatWaitersPerClient,
    perClientEnabled: config.perClientLimits && !shared, // shared: counted across processes below
  });
  const posts = stats.createRate('chatPosts');
  stats.addGauge('chatWaiters', () => store.counts.waiters);
  stats.addGauge('chatRooms', () => store.counts.rooms);
  stats.addGauge('chatMessages', () => store.counts.messages);
  stats.addGauge('chatLastId', () => store.counts.lastId);

  return {
    // #region poll-endpoint
    /** `GET ?room=NAME[&after=ID][&timeout=MS]` */
    async handleGet(request: Request, client: string): Promise<Response> {
      const query = readQuery(new URL(request.url), ['room', 'after', 'timeout']);
      const room = parseRoom(query.get('room'));
      const after = optionalInteger(query, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER });
      const requestedMs = optionalInteger(query, 'timeout', { min: 0, max: TIMEOUT_PARAM_MAX_MS });
      const timeoutMs = Math.min(requestedMs ?? config.pollTimeoutMs, config.pollTimeoutMs);

      if (faults?.take(request) === 'fail-next-poll') {
        throw serviceUnavailable('failing this poll on purpose: this tab asked for it', 2);
      }
      if (after === undefined) return answer(await usingStore(() => store.read(room))); // the initial load
      const releaseHere = waiterQuota.acquire(client); // 429 or 503 when too many are held
      const releaseShared = await shared?.heldPolls.acquire(client).catch((error: unknown) => {
        releaseHere();
        throw error;
      });
      const release = () => {
        releaseHere();
        releaseShared?.();
      };
      let news: ReadResult;
      try {
        news = await usingStore(() => store.read(room, after)); // a failing store is a 503 while one can still be sent
      } catch (error) {
        release();
        throw error;
      }
      if (news.messages.length > 0 || news.gap || timeoutMs === 0) {
        release();
        return answer(news);
      }
      // Nothing yet: answer now with a body that follows the news, the timeout or the client leaving.
      const waiting = store.waitForMessagesAfter(room, after, { timeoutMs, signal: request.signal });
      return deferredJsonResponse(waiting, encodeAnswer, release);
    },
    // #endregion poll-endpoint

    // #region post-endpoint
    /** `POST` with `{"text": "…", "author"?: "…", "room"?: "…"}` */
    async handlePost(request: Request, client: string): Promise<Response> {
      assertAllowedOrigin(request, config.allowedOrigins); // 403: another site's page
      const draft = parseChatPost(await readJsonBody(request, bodyMaxBytes), { textMaxChars: messageMaxChars }); // 415, 413, 400
      if (shared) await shared.posts.take(client, 'messages'); // 429, across processes
      else postLimiter.take(client, 'messages'); // 429
      const message = await usingStore(() => store.append(draft)); // resolves once it is on disk
      posts.add();
      return jsonResponse(message, { status: 201 });
    },
    // #endregion post-endpoint
  };
}

/** A store that fails (a full disk, an unreadable log) is the server's problem: 503, logged. */
async function usingStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    console.error('The chat store failed:', error);
    throw serviceUnavailable('the chat is unavailable right now; try again shortly', 5);
  }
}

const answerBody = ({ messages, cursor, gap }: ReadResult) => (gap ? { messages, cursor, gap } : { messages, cursor });

function answer(result: ReadResult): Response {
  return jsonResponse(answerBody(result));
}

// Everyone waiting at the same cursor gets the same result object from the store (see
// WaiterRegistry.notify): a fan-out to thousands of waiters encodes each body once.
const encodedAnswers = new WeakMap<ReadResult, Uint8Array>();
const encoder = new TextEncoder();

function encodeAnswer(result: ReadResult): Uint8Array {
  let bytes = encodedAnswers.get(result);
  if (!bytes) encodedAnswers.set(result, (bytes = encoder.encode(JSON.stringify(answerBody(result)))));
  return bytes;
}
