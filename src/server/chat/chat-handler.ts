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
import { parseChatPost, parseIdempotencyKey, parseRoom } from './chat-input.ts';
import { parseCursor } from './cursor.ts';
import { LogReadOnlyError } from './log-file.ts';
import { IdempotencyConflictError, type MessageStore, type ReadResult, type WaitResult } from './message-store.ts';
import { parseFollows, type Follow } from './follow-list.ts';

/** A client may send this many messages at once before the per-second rate applies. */
export const BURST_SECONDS = 2;
/** `timeout=MS` may only shorten the poll; larger values are read as "as long as the server allows". */
const TIMEOUT_PARAM_MAX_MS = 24 * 60 * 60 * 1_000;
/** The header every poll answer carries: how long the server holds a poll, in milliseconds. */
export const POLL_TIMEOUT_HEADER = 'X-Poll-Timeout-Ms';

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

/**
 * `GET` and `POST /api/chat/messages` and the multi-room `GET /api/chat/poll`: the HTTP side of
 * the chat, over any `MessageStore`. Cursors follow `cursor.ts`.
 */
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
  /** A place for one held poll: in this process, and, with several processes, in the client's count across all of them. */
  const acquireHeld = async (client: string): Promise<() => void> => {
    const releaseHere = waiterQuota.acquire(client); // 429 or 503
    if (!shared) return releaseHere;
    const releaseShared = await shared.heldPolls.acquire(client).catch((error: unknown) => {
      releaseHere();
      throw error;
    });
    return () => {
      releaseHere();
      releaseShared();
    };
  };
  const posts = stats.createRate('chatPosts');
  stats.addGauge('chatWaiters', () => store.counts.waiters);
  stats.addGauge('chatHeldPolls', () => waiterQuota.held);
  stats.addGauge('chatRooms', () => store.counts.rooms);
  stats.addGauge('chatMessages', () => store.counts.messages);
  stats.addGauge('chatLastId', () => store.counts.lastId);
  const pollHeaders = { [POLL_TIMEOUT_HEADER]: String(config.pollTimeoutMs) };

  const timeoutFrom = (query: Map<string, string>) =>
    Math.min(optionalInteger(query, 'timeout', { min: 0, max: TIMEOUT_PARAM_MAX_MS }) ?? config.pollTimeoutMs, config.pollTimeoutMs);

  const failIfAsked = (request: Request) => {
    if (faults?.take(request) === 'fail-next-poll') {
      throw serviceUnavailable('failing this poll on purpose: this tab asked for it', 2);
    }
  };

  return {
    // #region poll-endpoint
    /** `GET ?room=NAME[&after=CURSOR][&timeout=MS]` → `{messages, cursor, gap?, reset?}` */
    async handleGet(request: Request, client: string): Promise<Response> {
      const query = readQuery(new URL(request.url), ['room', 'after', 'timeout']);
      const room = parseRoom(query.get('room'));
      const rawAfter = query.get('after');
      const after = rawAfter === undefined ? undefined : parseCursor(rawAfter); // 400 when malformed
      const timeoutMs = timeoutFrom(query);
      failIfAsked(request);

      // #region fair-share
      // News (or a reset, or the initial load) is answered at once and holds no place: a client
      // over its share of held polls still gets every message, from its cursor.
      const news = await usingStore(() => store.read(room, after));
      if (after === undefined || hasNews(news) || timeoutMs === 0) return answer(news, pollHeaders);
      const release = await acquireHeld(client); // only a poll that must wait needs a place: 429 or 503 when none is left
      // #endregion fair-share
      // Nothing yet: answer now with a body that follows the news, the timeout or the client leaving.
      const waiting = store.waitForMessagesAfter(room, after, { timeoutMs, signal: request.signal });
      return heldAnswer(waiting, encodeAnswer, release, pollHeaders);
    },
    // #endregion poll-endpoint

    // #region multi-poll-endpoint
    /**
     * `GET /api/chat/poll?follow=ROOM[@CURSOR]&follow=…[&timeout=MS]` → `{rooms: {ROOM: {messages, cursor, gap?, reset?}}}`:
     * one held request for up to 16 rooms, answered as soon as any of them has news (a room
     * without a cursor is an initial load, answered at once), counted as one held poll.
     */
    async handleMultiPoll(request: Request, client: string): Promise<Response> {
      const url = new URL(request.url);
      const follows = parseFollows(url.searchParams); // 400 when malformed
      const timeoutMs = timeoutFrom(readQuery(withoutFollows(url), ['timeout']));
      failIfAsked(request);

      const reads = await usingStore(() => Promise.all(follows.map(({ room, after }) => store.read(room, after))));
      const now = follows.some(({ after }, index) => after === undefined || hasNews(reads[index]!));
      if (now || timeoutMs === 0) return jsonResponse(roomsBody(follows, reads), { headers: pollHeaders });

      const release = await acquireHeld(client); // one place, however many rooms
      return heldAnswer(waitForAnyRoom(store, follows as Required<Follow>[], timeoutMs, request.signal), encodeRooms, release, pollHeaders);
    },
    // #endregion multi-poll-endpoint

    // #region post-endpoint
    /** `POST` with `{"text": "…", "author"?: "…", "room"?: "…"}` and an optional `Idempotency-Key` header. */
    async handlePost(request: Request, client: string): Promise<Response> {
      assertAllowedOrigin(request, config.allowedOrigins); // 403: another site's page
      const idempotencyKey = parseIdempotencyKey(request.headers.get('idempotency-key')); // 400
      const draft = parseChatPost(await readJsonBody(request, bodyMaxBytes), { textMaxChars: messageMaxChars }); // 415, 413, 400
      if (idempotencyKey !== undefined) draft.idempotencyKey = idempotencyKey;
      // The token is spent only for a new message: a retried post that was stored already is free.
      if (shared) await shared.posts.take(client, 'messages'); // 429, counted across processes (a retry spends one too)
      const admit = shared ? undefined : () => postLimiter.take(client, 'messages');
      const { message, repeated } = await usingStore(() => store.append(draft, { admit }));
      if (!repeated) posts.add();
      return jsonResponse(message, { status: repeated ? 200 : 201 });
    },
    // #endregion post-endpoint
  };
}

const hasNews = (result: ReadResult) => result.messages.length > 0 || result.gap || result.reset;

/**
 * Waits on every followed room with one shared abort: the first room with news (or the first
 * timeout, or the client leaving) ends the wait of the others, which answer with their cursor.
 */
async function waitForAnyRoom(
  store: MessageStore,
  follows: Required<Follow>[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ follows: Follow[]; results: ReadResult[] }> {
  const shared = new AbortController();
  const leave = () => shared.abort();
  if (signal.aborted) leave(); // the client left before the wait began
  signal.addEventListener('abort', leave, { once: true });
  try {
    const waits = follows.map(({ room, after }) => store.waitForMessagesAfter(room, after, { timeoutMs, signal: shared.signal }));
    await Promise.race(waits);
    shared.abort();
    return { follows, results: await Promise.all(waits) };
  } finally {
    signal.removeEventListener('abort', leave);
  }
}

/** A store that fails (a full disk, an unreadable log) is the server's problem: 503, logged. */
async function usingStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof IdempotencyConflictError) throw new HttpError(422, error.message);
    if (error instanceof LogReadOnlyError) throw serviceUnavailable(error.message, 60);
    console.error('The chat store failed:', error);
    throw serviceUnavailable('the chat is unavailable right now; try again shortly', 5);
  }
}

/** The wire shape of one room's answer: `gap` and `reset` only when true. */
const answerBody = ({ messages, cursor, gap, reset }: ReadResult) => ({
  messages,
  cursor,
  ...(gap ? { gap: true } : {}),
  ...(reset ? { reset: true } : {}),
});

const roomsBody = (follows: readonly Follow[], results: readonly ReadResult[]) => ({
  rooms: Object.fromEntries(follows.map(({ room }, index) => [room, answerBody(results[index]!)])),
});

function answer(result: ReadResult, headers: Record<string, string>): Response {
  return jsonResponse(answerBody(result), { headers });
}

function heldAnswer<T>(waiting: Promise<T>, encode: (answer: T) => Uint8Array, release: () => void, headers: Record<string, string>): Response {
  const response = deferredJsonResponse(waiting, encode, release);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// Everyone waiting at the same cursor gets the same result object from the store (see
// WaiterRegistry.notify): a fan-out to thousands of waiters encodes each body once.
const encodedAnswers = new WeakMap<ReadResult, Uint8Array>();
const encoder = new TextEncoder();

function encodeAnswer(result: WaitResult): Uint8Array {
  let bytes = encodedAnswers.get(result);
  if (!bytes) encodedAnswers.set(result, (bytes = encoder.encode(JSON.stringify(answerBody(result)))));
  return bytes;
}

function encodeRooms({ follows, results }: { follows: Follow[]; results: ReadResult[] }): Uint8Array {
  return encoder.encode(JSON.stringify(roomsBody(follows, results)));
}

function withoutFollows(url: URL): URL {
  const rest = new URL(url);
  rest.searchParams.delete('follow');
  return rest;
}
