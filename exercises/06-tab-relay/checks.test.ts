// Checks for what a tab shows of relayed answers. Each title is an instruction; they run in
// order and the first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/server/chat/chat-message.ts';
import type { RoomAnswer } from '../../src/client/malformed-answer.ts';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('../../src/client/chat/room-view.ts');
const yours = await loadImplementation<Module>(new URL('../../src/client/chat/room-view.ts', import.meta.url));

/** Message `id` of incarnation `epoch` in room "lobby". */
const message = (epoch: string, id: number): ChatMessage => ({ id, epoch, text: `${epoch} #${id}`, author: 'ada', at: 1_700_000_000_000 + id, room: 'lobby' });
/** An answer holding `ids` of `epoch`, with the cursor a server would send after them. */
function answer(epoch: string, ids: number[], flags: Partial<Pick<RoomAnswer, 'gap' | 'reset'>> = {}): RoomAnswer {
  const last = ids.length ? Math.max(...ids) : 0;
  return { messages: ids.map((id) => message(epoch, id)), cursor: `${epoch}.${last}`, gap: flags.gap ?? false, reset: flags.reset ?? false };
}
const ids = (change: { messages: ChatMessage[] } | undefined) => change?.messages.map((shown) => `${shown.epoch}.${shown.id}`);

describe('what a tab shows of relayed answers', () => {
  it('Show the first answer oldest first, and keep its cursor to send back', () => {
    const view = new yours.RoomView('lobby');
    const first = answer('aaa', [3, 1, 2]);
    const change = view.apply(first);
    expect(ids(change)).toEqual(['aaa.1', 'aaa.2', 'aaa.3']);
    expect(change).toMatchObject({ reset: false, gap: false });
    expect(view.cursor, 'the cursor sent back as `after`').toBe('aaa.3');
  });

  it('Report the first answer even when the room is empty', () => {
    const view = new yours.RoomView('lobby');
    const change = view.apply(answer('aaa', []));
    expect(change, 'the page must learn the room is loaded and empty').toEqual({ messages: [], reset: false, gap: false });
    expect(view.cursor).toBe('aaa.0');
  });

  it('Show each message once when answers overlap', () => {
    const view = new yours.RoomView('lobby');
    view.apply(answer('aaa', [1, 2, 3]));
    const overlap = view.apply(answer('aaa', [2, 3, 4, 5]));
    expect(ids(overlap), 'the tab already shows 1 to 3').toEqual(['aaa.4', 'aaa.5']);
    const older = view.apply(answer('aaa', [4, 6, 5]));
    expect(ids(older), 'a new leader may start from an older cursor').toEqual(['aaa.6']);
  });

  it('Answer undefined when a relayed answer brings nothing new', () => {
    const view = new yours.RoomView('lobby');
    view.apply(answer('aaa', [1, 2]));
    expect(view.apply(answer('aaa', [1, 2])), 'the same answer relayed twice').toBeUndefined();
    expect(view.apply(answer('aaa', [])), 'a held poll that timed out').toBeUndefined();
    expect(view.cursor, 'the cursor still follows the last answer').toBe('aaa.0');
  });

  it('Replace everything on reset, even when the new ids are lower', () => {
    const view = new yours.RoomView('lobby');
    view.apply(answer('aaa', [1, 2, 3, 4, 5]));
    const reset = view.apply(answer('bbb', [2, 1], { reset: true }));
    expect(ids(reset), 'ids restart in a new incarnation').toEqual(['bbb.1', 'bbb.2']);
    expect(reset).toMatchObject({ reset: true, gap: false });
    expect(view.cursor).toBe('bbb.2');
    expect(ids(view.apply(answer('bbb', [2, 3]))), 'then the filter follows the new incarnation').toEqual(['bbb.3']);
  });

  it('Report a gap, even when no message is new', () => {
    const view = new yours.RoomView('lobby');
    view.apply(answer('aaa', [1, 2]));
    expect(view.apply(answer('aaa', [], { gap: true }))).toEqual({ messages: [], reset: false, gap: true });
    const withNews = view.apply(answer('aaa', [2, 7], { gap: true }));
    expect(ids(withNews)).toEqual(['aaa.7']);
    expect(withNews?.gap).toBe(true);
  });

  it('Refuse an answer from another incarnation that does not say reset', () => {
    const view = new yours.RoomView('lobby');
    view.apply(answer('aaa', [1, 2]));
    const stale = view.apply(answer('zzz', [8, 9]));
    expect(stale, 'nothing applied: read again from your own cursor').toEqual({ messages: [], reset: false, gap: false, stale: true });
    expect(view.cursor, 'a stale answer must not move the cursor').toBe('aaa.2');
    expect(ids(view.apply(answer('aaa', [2, 3]))), 'the view still shows incarnation aaa').toEqual(['aaa.3']);
  });

  it('Let the first message seen fix the incarnation, after an empty start or reset', () => {
    const view = new yours.RoomView('lobby');
    view.apply(answer('aaa', [1]));
    expect(view.apply(answer('bbb', [], { reset: true }))).toEqual({ messages: [], reset: true, gap: false });
    expect(ids(view.apply(answer('bbb', [1, 2]))), 'the emptied room fills again').toEqual(['bbb.1', 'bbb.2']);
    expect(view.apply(answer('aaa', [3]))?.stale, 'the old incarnation is stale now').toBe(true);
  });
});
