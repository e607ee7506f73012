/**
 * Browser side of the naive chat, shaped like the article's client: one request waits for
 * news with the last timestamp it got, and a new one goes out as soon as it answers.
 * After a failure it waits a fixed 5 s, as the original did (the reconnection lesson
 * replaces that with backoff).
 */
export interface NaiveAnswer {
  /** The file's content, or null when the server gave up waiting (30 s) and nothing changed. */
  msg: string | null;
  /** The file's time in whole seconds. */
  timestamp: number;
}

import { MalformedAnswerError } from '../malformed-answer.ts';

/** `open`: a request is out, waiting for news. */
export type NaiveChatState = 'open' | 'retrying' | 'closed';

export interface NaiveChatEvents {
  message: NaiveAnswer & { msg: string };
  state: { state: NaiveChatState };
  wire: string;
}

export const RETRY_DELAY_MS = 5_000;

/**
 * Checks an answer of the naive backend: `msg` a string or null, `timestamp` a whole number of seconds.
 * @throws MalformedAnswerError otherwise (retried after the fixed delay, and shown in the wire log).
 */
export function readNaiveAnswer(value: unknown): NaiveAnswer {
  const answer = value as Partial<NaiveAnswer> | null;
  if (typeof answer !== 'object' || answer === null) throw new MalformedAnswerError('not an object');
  if (answer.msg !== null && typeof answer.msg !== 'string') throw new MalformedAnswerError('"msg" is neither text nor null');
  if (!Number.isSafeInteger(answer.timestamp) || answer.timestamp! < 0) throw new MalformedAnswerError('"timestamp" is not a whole number of seconds');
  return { msg: answer.msg, timestamp: answer.timestamp! };
}

export class NaiveChatClient extends EventTarget {
  #url: string;
  #timestamp = 0;
  #running = false;
  #controller: AbortController | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastNewsAt = -Infinity;

  constructor({ url = '/api/naive/backend' } = {}) {
    super();
    this.#url = url;
  }

  get running(): boolean {
    return this.#running;
  }

  /** When (performance.now()) the last answer with a file time arrived; the file's second is over 1 s later. */
  get lastNewsAt(): number {
    return this.#lastNewsAt;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#wait();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#retryTimer);
    this.#controller?.abort(); // the server sees the request end and stops looking at the file
    this.#emit('state', { state: 'closed' });
  }

  /** Writes a message; resolves once the server has stored it (204), rejects with its reason otherwise. */
  async send(text: string): Promise<void> {
    const response = await fetch(`${this.#url}?msg=${encodeURIComponent(text)}`, { cache: 'no-store' });
    if (response.status !== 204) throw new Error(await reasonOf(response));
    this.#emit('wire', `GET ?msg=… → ${response.status}`);
  }

  // #region wait-loop
  async #wait(): Promise<void> {
    while (this.#running) {
      this.#controller = new AbortController();
      this.#emit('state', { state: 'open' });
      try {
        const response = await fetch(`${this.#url}?timestamp=${this.#timestamp}`, {
          cache: 'no-store',
          signal: this.#controller.signal,
        });
        if (!response.ok) throw new Error(await reasonOf(response));
        const answer = readNaiveAnswer(await response.json().catch(() => undefined));
        this.#emit('wire', `GET ?timestamp=${this.#timestamp} → ${answer.msg === null ? 'nothing new (capped)' : `timestamp ${answer.timestamp}`}`);
        this.#timestamp = answer.timestamp;
        if (answer.msg !== null) this.#lastNewsAt = performance.now();
        if (answer.msg) this.#emit('message', { msg: answer.msg, timestamp: answer.timestamp });
      } catch (error) {
        if (!this.#running) return;
        this.#emit('wire', `error: ${error instanceof Error ? error.message : String(error)}; retrying in 5 s`);
        this.#emit('state', { state: 'retrying' });
        await new Promise((resolve) => (this.#retryTimer = setTimeout(resolve, RETRY_DELAY_MS)));
      }
    }
  }
  // #endregion wait-loop

  #emit<K extends keyof NaiveChatEvents>(type: K, detail: NaiveChatEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

async function reasonOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: string };
    return `${response.status}: ${body.error ?? response.statusText}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}
