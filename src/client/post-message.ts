/**
 * Sends a chat message the way the hardened API wants it (POST, JSON, same origin), exactly
 * once. Every message gets a fresh `Idempotency-Key`; when no answer arrives (the connection
 * broke, the answer was lost), the post is retried a few times with backoff and the SAME key,
 * so a message the server stored before the answer was lost is stored once: the server
 * answers the repeat `200` with the original message.
 */
import type { ChatMessage } from '../server/chat/chat-message.ts';
import { Backoff } from './backoff.ts';
import { MalformedAnswerError, readChatMessage } from './malformed-answer.ts';
import { parseRetryAfter } from './network-delay.ts';
import { randomId } from './room-in-url.ts';

// #region post-message
/** Attempts per message: the first and this many minus one retries. */
export const POST_ATTEMPTS = 4;
/** A post without an answer after this long is abandoned and retried (same key). */
export const POST_DEADLINE_MS = 10_000;
/** Length of a fresh key (of `a-z0-9`, inside the server's `[A-Za-z0-9_-]{1,64}`). */
export const IDEMPOTENCY_KEY_CHARS = 22;

export interface PostOptions {
  fetch?: typeof fetch;
  backoff?: Backoff;
  /** Told before each retry (2, 3, …), for the wire log. */
  onRetry?: (attempt: number, reason: string) => void;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

/**
 * Resolves with the stored message (`201` new, `200` a repeat of the same key).
 * @throws Error with the server's reason for a refusal (4xx other than 429), or the last failure after {@link POST_ATTEMPTS}.
 */
export async function postMessage(room: string, text: string, author?: string, options: PostOptions = {}): Promise<ChatMessage> {
  const { fetch: fetcher = (i, o) => globalThis.fetch(i, o), backoff = new Backoff({ initialMs: 500, maxMs: 4_000 }), onRetry, headers = {} } = options;
  const key = options.idempotencyKey ?? randomId(IDEMPOTENCY_KEY_CHARS);
  const body = JSON.stringify({ room, text, ...(author ? { author } : {}) });
  let lastError = new Error('not sent');
  for (let attempt = 1; attempt <= POST_ATTEMPTS; attempt += 1) {
    if (attempt > 1) onRetry?.(attempt, lastError.message);
    let waitMs = 0;
    try {
      const response = await fetcher('/api/chat/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, ...headers },
        body,
        signal: AbortSignal.timeout(POST_DEADLINE_MS),
      });
      const answer = (await response.json().catch(() => undefined)) as unknown;
      if (response.ok) return readChatMessage(answer, 'the stored message');
      const reason = (answer as { error?: unknown } | undefined)?.error;
      waitMs = parseRetryAfter(response.headers.get('retry-after'));
      lastError = new PostFailedError(typeof reason === 'string' ? reason : `the server answered ${response.status}`, response.status, waitMs);
      if (response.status !== 429 && response.status < 500) throw new RefusedPost(lastError.message, response.status);
    } catch (error) {
      if (error instanceof RefusedPost) throw new PostFailedError(error.message, error.status);
      lastError = error instanceof MalformedAnswerError ? error : new Error(`no answer (${(error as Error).message})`);
    }
    if (attempt < POST_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, backoff.next(waitMs)));
  }
  throw lastError;
}
// #endregion post-message

/** A refusal retrying cannot fix (400, 403, 413, 422…). */
class RefusedPost extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/**
 * A post the server answered with an error: `status` is its HTTP status; `retryAfterMs` the
 * delay its `Retry-After` asked for (RFC 9110 §10.2.3), clamped, 0 when it named none.
 */
export class PostFailedError extends Error {
  readonly status: number;
  readonly retryAfterMs: number;
  constructor(message: string, status: number, retryAfterMs = 0) {
    super(message);
    this.name = 'PostFailedError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}
