import { describe, expect, it } from 'vitest';
import { RoomView } from '../../../../src/client/chat/room-view.ts';
import type { ChatMessage } from '../../../../src/server/chat/chat-message.ts';

const m = (epoch: string, id: number): ChatMessage => ({ id, epoch, text: `${epoch}.${id}`, author: 'a', at: 0, room: 'r' });
const ids = (messages: ChatMessage[] | undefined) => messages?.map((message) => message.text);

describe('RoomView: the duplicate filter compares epoch and id', () => {
  it('drops what arrives twice (a relay and a catch-up overlapping), in id order', () => {
    const view = new RoomView('r');
    expect(ids(view.apply({ messages: [m('a', 1), m('a', 2)], cursor: 'a.2', gap: false, reset: false })?.messages)).toEqual(['a.1', 'a.2']);
    expect(ids(view.apply({ messages: [m('a', 3), m('a', 2)], cursor: 'a.3', gap: false, reset: false })?.messages)).toEqual(['a.3']);
    expect(view.apply({ messages: [m('a', 1)], cursor: 'a.3', gap: false, reset: false })).toBeUndefined();
    expect(view.cursor).toBe('a.3');
  });

  it('a reset replaces everything, and ids restarting at 1 in the new epoch are new', () => {
    const view = new RoomView('r');
    view.apply({ messages: [m('a', 1), m('a', 2), m('a', 3)], cursor: 'a.3', gap: false, reset: false });
    const change = view.apply({ messages: [m('b', 1)], cursor: 'b.1', gap: false, reset: true });
    expect(change).toMatchObject({ reset: true });
    expect(ids(change?.messages)).toEqual(['b.1']);
    expect(ids(view.apply({ messages: [m('b', 2)], cursor: 'b.2', gap: false, reset: false })?.messages)).toEqual(['b.2']);
  });

  it('messages of another epoch without a reset are not spliced in: the view asks to read again', () => {
    const view = new RoomView('r');
    view.apply({ messages: [m('a', 1)], cursor: 'a.1', gap: false, reset: false });
    expect(view.apply({ messages: [m('b', 2)], cursor: 'b.2', gap: false, reset: false })).toEqual({ messages: [], reset: false, gap: false, stale: true });
    expect(view.cursor).toBe('a.1');
  });

  it('reports a gap', () => {
    const view = new RoomView('r');
    view.apply({ messages: [m('a', 1)], cursor: 'a.1', gap: false, reset: false });
    expect(view.apply({ messages: [m('a', 9)], cursor: 'a.9', gap: true, reset: false })).toMatchObject({ gap: true });
  });
});
