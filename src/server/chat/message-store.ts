import type { ChatDraft, ChatMessage } from './chat-message.ts';

/**
 * The boundary between the chat's HTTP side and wherever messages live. The embedded
 * default (`createMessageLog`) keeps them in this process and a file; a shared store can
 * implement the same interface when the site runs as several processes.
 */
// #region store-interface
export interface MessageStore {
  /** Stores a message durably, then makes it visible; resolves with the stored message. */
  append(draft: ChatDraft): Promise<ChatMessage>;
  /** Without `after`: the latest messages (the initial load). With it: every retained message newer than it. */
  read(room: string, after?: number): Promise<ReadResult>;
  /**
   * Like `read(room, after)`, but when nothing is newer it waits for news, the timeout, or the signal.
   * Waiters at the same cursor may be handed the same result object: treat it as read-only.
   */
  waitForMessagesAfter(room: string, after: number, options: WaitOptions): Promise<WaitResult>;
  readonly counts: StoreCounts;
  /** Waits until every accepted message is on disk. */
  flush(): Promise<void>;
  /** Flushes, then releases the file; later calls fail. Calling it again waits for the same close. */
  close(): Promise<void>;
}
// #endregion store-interface

export interface ReadResult {
  messages: ChatMessage[];
  /** The newest id the room has shown: the `after` of the client's next poll. */
  cursor: number;
  /** Messages after the client's cursor were dropped (retention, or the room was reset). */
  gap: boolean;
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
