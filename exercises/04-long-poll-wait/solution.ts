/**
 * A long-poll endpoint in miniature (RFC 6202 §2.2): one room whose messages are numbered
 * from 1, and a held GET that answers as soon as a message newer than the client's `after`
 * exists, with nothing once the timeout passes, and not at all once the client has left.
 * Self-contained on purpose: the lesson's `MessageLog` does the same with files and rooms.
 */
export const POLL_TIMEOUT_MS = 25_000;

/** How a wait ended: a message arrived (or was there already), the timeout, or the client left. */
export type WaitOutcome = 'message' | 'timeout' | 'aborted';

export interface RoomMessage {
  id: number;
  text: string;
}

export interface WaitOptions {
  timeoutMs: number;
  /** The request's signal: aborted when the client goes away. */
  signal?: AbortSignal;
}

export function createRoom() {
  const messages: RoomMessage[] = [];
  /** Every held poll, as the function that wakes it. */
  const waiters = new Set<() => void>();

  return {
    /** Appends a message and wakes every held poll; returns its id. */
    post(text: string): number {
      const message = { id: messages.length + 1, text };
      messages.push(message);
      for (const wake of [...waiters]) wake();
      return message.id;
    },

    messagesAfter(after: number): RoomMessage[] {
      return messages.slice(after);
    },

    /** How many polls are held right now (0 once every wait has ended, however it ended). */
    waiting(): number {
      return waiters.size;
    },

    // #region wait
    /** Resolves once, with the first of: a message newer than `after`, the timeout, the client leaving. */
    waitForMessagesAfter(after: number, { timeoutMs, signal }: WaitOptions): Promise<WaitOutcome> {
      return new Promise((resolve) => {
        // The check and the parking happen in one turn of the event loop: no post can slip between.
        if (messages.length > after) return resolve('message');
        if (signal?.aborted) return resolve('aborted');
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settle = (outcome: WaitOutcome) => {
          if (!waiters.delete(wake)) return; // settled already: the others find nothing to do
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        };
        const wake = () => settle('message');
        const onAbort = () => settle('aborted');
        waiters.add(wake);
        timer = setTimeout(() => settle('timeout'), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    // #endregion wait
  };
}

export type Room = ReturnType<typeof createRoom>;

/**
 * `GET ?after=N` → `200 {messages, cursor}`: held until there is news or the timeout passes.
 * A client that left gets a 204 that nobody reads; what matters is that its waiter is gone.
 */
export function createPollHandler(room: Room, { timeoutMs = POLL_TIMEOUT_MS } = {}) {
  return async (request: Request): Promise<Response> => {
    const after = Number(new URL(request.url).searchParams.get('after') ?? '0');
    const outcome = await room.waitForMessagesAfter(after, { timeoutMs, signal: request.signal });
    if (outcome === 'aborted') return new Response(null, { status: 204 });
    const messages = room.messagesAfter(after);
    return Response.json({ messages, cursor: after + messages.length });
  };
}
