import type { ChatDraft, ChatMessage } from './chat-message.ts';
import type { Cursor } from './cursor.ts';

/**
 * The boundary between the chat's transports (long poll, event stream, WebSocket) and wherever
 * messages live. The embedded default (`createMessageLog`) keeps them in this process and a
 * file; a shared store (Redis) implements the same interface when the site runs as several
 * processes. Every store keeps the cursor contract of `cursor.ts`: ids continue per room
 * incarnation, each incarnation has its own epoch, and a reset is always reported.
 */
// #region store-interface
export interface MessageStore {
  /**
   * Stores a message durably, then makes it visible; resolves with the stored message.
   * With an `idempotencyKey` already used in the room for a message it still retains, nothing is
   * stored: resolves with the original message and `repeated: true`.
   * `options.admit` is called once the post is known to be new, before it is stored (the HTTP
   * edge spends a rate-limit token there); when it throws, nothing is stored and `append` rejects
   * with that error. A repeat never calls it.
   * @throws IdempotencyConflictError when that key was used with a different text (HTTP 422).
   */
  append(draft: ChatDraft, options?: AppendOptions): Promise<AppendResult>;
  /**
   * Without `after`: the latest messages (the initial load). With it: every retained message
   * newer than it, or, when `after` belongs to another incarnation of the room, `reset: true`
   * with the current incarnation's retained messages.
   */
  read(room: string, after?: Cursor): Promise<ReadResult>;
  /**
   * Like `read(room, after)`, but when nothing is newer it waits for news, the timeout, or the signal.
   * Waiters at the same cursor may be handed the same result object: treat it as read-only.
   */
  waitForMessagesAfter(room: string, after: Cursor, options: WaitOptions): Promise<WaitResult>;
  readonly counts: StoreCounts;
  /** Waits until every accepted message is durable. */
  flush(): Promise<void>;
  /** Flushes, then releases the file or connection; later calls fail. Calling it again waits for the same close. */
  close(): Promise<void>;
}
// #endregion store-interface

export interface AppendOptions {
  /** Called once for a new post before it is stored; throwing refuses it (e.g. a 429 from a rate limiter). */
  admit?: () => void;
}

export interface AppendResult {
  message: ChatMessage;
  /** True when the idempotency key matched a retained message: nothing new was stored. */
  repeated: boolean;
}

export interface ReadResult {
  messages: ChatMessage[];
  /** Where the client now is: the `after` of its next poll, the `id` of an event, formatted by `formatCursor`. */
  cursor: string;
  /**
   * Messages of the same incarnation after the client's cursor are no longer retained (retention
   * dropped them, or a damaged log line lost one): the client shows what it has plus these, and
   * says that some are missing. Never set together with `reset`.
   */
  gap: boolean;
  /**
   * The client's cursor belongs to another incarnation of the room (or is a bare integer from
   * an older client): `messages` is the current incarnation's retained history, and the client
   * replaces what it shows with it.
   */
  reset: boolean;
}

export type WaitOutcome = 'message' | 'timeout' | 'aborted';

export interface WaitOptions {
  timeoutMs: number;
  /** The request's signal: aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface WaitResult extends ReadResult {
  outcome: WaitOutcome;
}

export interface StoreCounts {
  rooms: number;
  /** Messages retained in memory, across rooms. */
  messages: number;
  waiters: number;
  /** The highest id of any room held. */
  lastId: number;
}

/** The same idempotency key was sent with a different text: the client reused a key by mistake. */
export class IdempotencyConflictError extends Error {
  readonly key: string;

  constructor(key: string) {
    super(`the Idempotency-Key "${key}" was already used in this room for a different message`);
    this.name = 'IdempotencyConflictError';
    this.key = key;
  }
}
