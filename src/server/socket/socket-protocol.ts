import { parseChatPost } from '../chat/chat-input.ts';
import { HttpError } from '../http/http-error.ts';
import { IDEMPOTENCY_KEY_PATTERN, type ChatDraft, type ChatMessage } from '../chat/chat-message.ts';

/**
 * The chat's own little protocol on top of WebSocket (RFC 6455): every frame is one UTF-8 text
 * frame holding one JSON object with a `type`. WebSocket carries messages, not meaning, so
 * everything HTTP said in a status line or a header (where the client is, an error, when to come
 * back) has to be said here.
 *
 * Server → client:
 * - `{type:'position', cursor, heartbeatMs}` first, before any message: where the client now is,
 *   and how often the server promises to say something (a `heartbeat` at the latest).
 * - `{type:'messages', messages, cursor, gap?: true}`: news after the client's cursor.
 * - `{type:'reset', messages, cursor}`: the cursor belonged to another incarnation of the room;
 *   `messages` replaces what the client shows.
 * - `{type:'heartbeat'}` every `heartbeatMs` (a page cannot see WebSocket pings).
 * - `{type:'posted', key, message, repeated}`: the answer to a `post` (`repeated`: the key was
 *   already used for the same text, nothing new was stored).
 * - `{type:'error', error, key?, retryAfterMs?}`: a post was refused (bad text, rate, key reused
 *   with another text), or the connection is about to be closed; the connection stays open for
 *   a refused post.
 *
 * Client → server: `{type:'post', text, author?, key}` with `key` an idempotency key
 * (1–64 of `A-Za-z0-9_-`): a post retried after a reconnect with the same key is stored once.
 */
// #region protocol
export type ServerMessage =
  | { type: 'position'; cursor: string; heartbeatMs: number }
  | { type: 'messages'; messages: ChatMessage[]; cursor: string; gap?: true }
  | { type: 'reset'; messages: ChatMessage[]; cursor: string }
  | { type: 'heartbeat' }
  | { type: 'posted'; key: string; message: ChatMessage; repeated: boolean }
  | { type: 'error'; error: string; key?: string; retryAfterMs?: number };

/** A well-formed `post`: either a draft to store, or the reason an HTTP post with that text would get a 400. */
export type PostRequest =
  | {
      type: 'post';
      key: string;
      /** Validated exactly as an HTTP post; the room is the socket's. */
      draft: ChatDraft;
    }
  | { type: 'refused'; key: string; error: string };

/**
 * Close codes the server uses (RFC 6455 §7.4.1 for the 1000s; the 4000s are this
 * application's own, private range, named after the HTTP status they stand for).
 */
export const CLOSE_CODES = {
  /** The server is shutting down or restarting: reconnect (with backoff) from your cursor. */
  goingAway: 1001,
  /** A binary frame: this protocol speaks only text. */
  unsupportedData: 1003,
  /** Not JSON, or JSON that is not a message of this protocol. */
  invalidMessage: 1007,
  /** A frame larger than the server's maximum message size (sent by `ws` itself). */
  tooBig: 1009,
  /** Every connection place of the server is taken: try again later. */
  tryAgainLater: 1013,
  /** The peer did not answer pings within a heartbeat: the connection is presumed dead. */
  heartbeatMissed: 4408,
  /** This client holds as many sockets as it may. */
  tooManyConnections: 4429,
  /** The client does not read what it is sent: the server's buffer for it did not drain. */
  slowConsumer: 4503,
} as const;
// #endregion protocol

/** A client frame the server cannot accept: the connection closes with `code` and `reason`. */
export class ProtocolViolation extends Error {
  readonly code: number;

  constructor(code: number, reason: string) {
    super(closeReason(reason));
    this.name = 'ProtocolViolation';
    this.code = code;
  }
}

/** A close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5.1); `ws` throws on a longer one. */
export const CLOSE_REASON_MAX_BYTES = 123;

/** Cuts a reason (which may quote what a client sent) to whole characters within {@link CLOSE_REASON_MAX_BYTES}. */
export function closeReason(text: string): string {
  let reason = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (bytes + size > CLOSE_REASON_MAX_BYTES) break;
    reason += character;
    bytes += size;
  }
  return reason;
}

/**
 * Reads one client frame. The frame's shape is checked here (a violation closes the connection);
 * the text and author are checked as an HTTP post's (`parseChatPost`): what it would answer with
 * a 400 comes back as `{type: 'refused'}`, to be answered with an `error` message while the
 * connection stays open.
 * @throws ProtocolViolation (1003 binary, 1007 not JSON / not an object / unknown type or field / bad key)
 */
// #region client-frame
export function parseClientFrame(data: string | Buffer | ArrayBuffer | Buffer[], isBinary: boolean, room: string, textMaxChars: number): PostRequest {
  if (isBinary) throw new ProtocolViolation(CLOSE_CODES.unsupportedData, 'binary frames are not understood; send JSON text');
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ProtocolViolation(CLOSE_CODES.invalidMessage, 'a frame is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolViolation(CLOSE_CODES.invalidMessage, 'expected a JSON object like {"type":"post",...}');
  }
  const { type, key, text: postText, author, ...rest } = body as Record<string, unknown>;
  if (type !== 'post') throw new ProtocolViolation(CLOSE_CODES.invalidMessage, `unknown message type ${JSON.stringify(type)?.slice(0, 20)}; expected "post"`);
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ProtocolViolation(CLOSE_CODES.invalidMessage, '"key" must be 1 to 64 of A-Z, a-z, 0-9, "_" and "-"');
  }
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new ProtocolViolation(CLOSE_CODES.invalidMessage, `unknown field "${unknown.slice(0, 20)}"`);
  try {
    const draft = parseChatPost({ text: postText, author, room }, { textMaxChars });
    return { type: 'post', key, draft: { ...draft, idempotencyKey: key } };
  } catch (error) {
    if (error instanceof HttpError) return { type: 'refused', key, error: error.message };
    throw error;
  }
}
// #endregion client-frame
