/**
 * What one tab shows of one room, and the filter that keeps it exact. Answers may reach a tab
 * twice (a relayed answer and the tab's own catch-up read overlap; a new leader starts from an
 * older cursor): a message is new only if it belongs to the incarnation shown (`epoch`) and its
 * `id` is above the highest shown. A `reset` replaces everything; a `gap` is reported.
 */
import type { ChatMessage } from '../../server/chat/chat-message.ts';
import type { RoomAnswer } from '../malformed-answer.ts';

/** What applying an answer changed: messages to append (or to show instead of all, on reset). */
export interface RoomChange {
  messages: ChatMessage[];
  reset: boolean;
  gap: boolean;
  /**
   * The answer holds messages of another incarnation without saying `reset` (it answered a
   * cursor other than this tab's): nothing was applied; read again from {@link RoomView.cursor}.
   */
  stale?: boolean;
}

// #region deliver
export class RoomView {
  /** The cursor of the last answer applied: what this tab sends back as `after`. */
  cursor: string | undefined;
  /** The incarnation shown, and the highest id shown in it. */
  #epoch: string | undefined;
  #shownUpTo = 0;

  readonly room: string;

  constructor(room: string) {
    this.room = room;
  }

  /** Applies an answer; returns what to show, or `undefined` when nothing changed. */
  apply(answer: RoomAnswer): RoomChange | undefined {
    const initial = this.cursor === undefined;
    if (!answer.reset && this.#epoch !== undefined && answer.messages.some((message) => message.epoch !== this.#epoch)) {
      return { messages: [], reset: false, gap: false, stale: true };
    }
    this.cursor = answer.cursor;
    if (answer.reset) {
      const messages = [...answer.messages].sort((a, b) => a.id - b.id);
      this.#epoch = messages.at(-1)?.epoch;
      this.#shownUpTo = messages.at(-1)?.id ?? 0;
      return { messages, reset: true, gap: answer.gap };
    }
    const fresh = answer.messages
      .filter((message) => this.#isNew(message))
      .sort((a, b) => a.id - b.id);
    for (const message of fresh) {
      this.#epoch = message.epoch;
      this.#shownUpTo = Math.max(this.#shownUpTo, message.id);
    }
    if (!fresh.length && !answer.gap && !initial) return undefined;
    return { messages: fresh, reset: false, gap: answer.gap };
  }

  /** Same incarnation and a higher id; the first message seen fixes the incarnation. */
  #isNew(message: ChatMessage): boolean {
    if (this.#epoch === undefined) return true;
    return message.epoch === this.#epoch && message.id > this.#shownUpTo;
  }
}
// #endregion deliver
