import { vi } from 'vitest';
import type { ChatMessage } from '../../src/server/chat/chat-message.ts';
import { readFakeRoom } from './fake-room.ts';

export type Fault = 'network' | 'silent' | 'malformed' | 500 | 503 | 429 | 408 | 400;

/**
 * A scripted stand-in for the chat API's wire contract, for client unit tests: rooms with
 * epochs (reset starts a new incarnation at id 1), `EPOCH.ID` cursors, the non-held read
 * (`GET /api/chat/messages?…&timeout=0`), the multi-room held poll (`GET /api/chat/poll?follow=…`)
 * with its `X-Poll-Timeout-Ms` header, per-tab faults (`X-Comet-Tab`) and scripted faults
 * that the next requests meet instead.
 */
export function createFakeChatServer({ pollTimeoutMs = 25_000 } = {}) {
  const rooms = new Map<string, { epoch: string; messages: ChatMessage[] }>();
  const faults: Fault[] = [];
  const tabFaults = new Set<string>();
  const held = new Set<() => void>();
  const requests: string[] = [];
  let epochs = 0;

  const roomOf = (name: string) => {
    let room = rooms.get(name);
    if (!room) rooms.set(name, (room = { epoch: `e${++epochs}`, messages: [] }));
    return room;
  };
  const read = (name: string, after: string | undefined) => readFakeRoom(roomOf(name), after);
  const follows = (url: URL) =>
    url.searchParams.getAll('follow').map((entry) => {
      const at = entry.indexOf('@');
      return at < 0 ? { room: entry, after: undefined } : { room: entry.slice(0, at), after: entry.slice(at + 1) };
    });
  const headers = { 'X-Poll-Timeout-Ms': String(pollTimeoutMs) };

  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://site.test');
    requests.push(`${url.pathname}${url.search}`);
    const tab = new Headers(init?.headers).get('x-comet-tab');
    if (tab && tabFaults.delete(tab)) return Response.json({ error: 'failing on purpose' }, { status: 503, headers: { 'Retry-After': '2' } });
    const fault = faults.shift();
    if (fault === 'network') throw new TypeError('Failed to fetch');
    if (fault === 'silent') return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    if (fault === 'malformed') return Response.json({}, { headers });
    if (fault) {
      const retry = fault === 429 || fault === 503 ? { 'Retry-After': '7' } : undefined;
      return Response.json({ error: `scripted ${fault}` }, { status: fault, headers: retry });
    }
    if (url.pathname === '/api/chat/messages') {
      return Response.json(read(url.searchParams.get('room')!, url.searchParams.get('after') ?? undefined), { headers });
    }
    const answer = () => {
      const answers = Object.fromEntries(follows(url).map(({ room, after }) => [room, read(room, after)]));
      return Response.json({ rooms: answers }, { headers });
    };
    const news = () => follows(url).some(({ room, after }) => after === undefined || read(room, after).messages.length || 'reset' in read(room, after));
    if (news()) return answer();
    return new Promise<Response>((resolve, reject) => {
      const wake = () => {
        if (!news()) return;
        held.delete(wake);
        resolve(answer());
      };
      held.add(wake);
      init?.signal?.addEventListener('abort', () => {
        held.delete(wake);
        reject(init.signal!.reason ?? new DOMException('aborted', 'AbortError'));
      });
    });
  });

  return {
    fetch,
    faults,
    requests,
    /** Arms the per-tab fault: that tab's next request answers 503. */
    failNextFor(tab: string) {
      tabFaults.add(tab);
    },
    post(room: string, text: string) {
      const state = roomOf(room);
      state.messages.push({ id: (state.messages.at(-1)?.id ?? 0) + 1, epoch: state.epoch, text, author: 'test', at: 0, room });
      for (const wake of [...held]) wake();
    },
    /** A new incarnation of the room: ids start again at 1. */
    reset(room: string) {
      rooms.set(room, { epoch: `e${++epochs}`, messages: [] });
      for (const wake of [...held]) wake();
    },
    get heldCount() {
      return held.size;
    },
  };
}
