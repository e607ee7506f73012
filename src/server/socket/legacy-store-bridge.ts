import type { ChatDraft, ChatMessage } from '../chat/chat-message.ts';
import { formatCursor, type Cursor } from '../chat/cursor.ts';
import type { MessageStore, ReadResult, WaitOptions, WaitResult } from '../chat/message-store.ts';

/**
 * Lets the socket server run over a store that still speaks whole-number cursors (ids without
 * epochs, `append` answering the bare message). It looks at the first answer: a store whose
 * cursor is a string already follows `MessageStore` and is used as it is; otherwise each call is
 * translated, with one fixed epoch for the life of the process (such a store cannot report a
 * reset, so none is reported). Delete this file, and use the store directly, once every store
 * answers with string cursors.
 */
export const LEGACY_EPOCH = 'legacy';

/** Structural view of the older store: ids in, ids out. */
interface LegacyStore {
  append(draft: ChatDraft): Promise<unknown>;
  read(room: string, after?: number): Promise<{ messages: ChatMessage[]; cursor: number | string; gap?: boolean; reset?: boolean }>;
  waitForMessagesAfter(room: string, after: number, options: WaitOptions): Promise<{ messages: ChatMessage[]; cursor: number | string; gap?: boolean; outcome: WaitResult['outcome'] }>;
}

export function bridgeLegacyStore(store: MessageStore): MessageStore {
  const legacy = store as unknown as LegacyStore;
  let mode: 'cursor' | 'legacy' | undefined;
  const detect = async (room: string) => {
    mode ??= typeof (await legacy.read(room)).cursor === 'string' ? 'cursor' : 'legacy';
    return mode;
  };
  const withEpoch = (message: ChatMessage): ChatMessage => ({ ...message, epoch: message.epoch ?? LEGACY_EPOCH });
  const translate = (result: { messages: ChatMessage[]; cursor: number | string; gap?: boolean }): ReadResult => ({
    messages: result.messages.map(withEpoch),
    cursor: formatCursor({ epoch: LEGACY_EPOCH, id: Number(result.cursor) }),
    gap: Boolean(result.gap),
    reset: false,
  });
  /** A cursor of another epoch than the fixed one cannot be located in an id-only store: start from the latest. */
  const idOf = (after: Cursor | undefined) => (after && after.epoch === LEGACY_EPOCH ? after.id : undefined);

  return {
    async append(draft) {
      if ((await detect(draft.room)) === 'cursor') return store.append(draft);
      const { idempotencyKey: _key, ...plain } = draft;
      return { message: withEpoch((await legacy.append(plain)) as ChatMessage), repeated: false };
    },
    async read(room, after) {
      if ((await detect(room)) === 'cursor') return store.read(room, after);
      const id = idOf(after);
      return { ...translate(await legacy.read(room, id)), reset: after !== undefined && id === undefined };
    },
    async waitForMessagesAfter(room, after, options) {
      if ((await detect(room)) === 'cursor') return store.waitForMessagesAfter(room, after, options);
      const result = await legacy.waitForMessagesAfter(room, idOf(after) ?? 0, options);
      return { ...translate(result), outcome: result.outcome };
    },
    get counts() {
      return store.counts;
    },
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
