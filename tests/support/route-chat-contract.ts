import type { BrowserContext, Route } from '@playwright/test';
import { readFakeRoom } from './fake-room.ts';

interface Message {
  id: number;
  epoch: string;
  text: string;
  author: string;
  at: number;
  room: string;
}

/**
 * Answers a browser context's chat API in the test process, to the wire contract (opaque
 * `EPOCH.ID` cursors, the multi-room poll with `X-Poll-Timeout-Ms`, idempotent posts), so the
 * browser side can be tried in a real Chromium whatever the server build speaks. It also
 * counts the chat polls the browser has in flight at once, as the browser sees them.
 */
export async function routeChatContract(context: BrowserContext, { pollTimeoutMs = 25_000 } = {}) {
  const rooms = new Map<string, { epoch: string; messages: Message[]; keys: Map<string, Message> }>();
  const waiters = new Set<() => void>();
  let inFlight = 0;
  let maxInFlight = 0;
  const polls = new Map<object, unknown>(); // request → the page that sent it
  const roomOf = (name: string) => {
    let room = rooms.get(name);
    if (!room) rooms.set(name, (room = { epoch: `e${rooms.size + 1}x`, messages: [], keys: new Map() }));
    return room;
  };
  const read = (name: string, after: string | undefined) => readFakeRoom(roomOf(name), after);
  const armedTabs = new Set<string>();
  const headers = { 'X-Poll-Timeout-Ms': String(pollTimeoutMs), 'Cache-Control': 'no-store' };

  context.on('request', (request) => {
    if (!request.url().includes('/api/chat/poll')) return;
    polls.set(request, request.frame().page());
    inFlight = polls.size;
    maxInFlight = Math.max(maxInFlight, inFlight);
  });
  const done = (request: object) => {
    polls.delete(request);
    inFlight = polls.size;
  };
  context.on('requestfinished', done);
  context.on('requestfailed', done);
  // A closed tab's requests end with it (no event tells of them).
  context.on('page', (page) =>
    page.on('close', () => {
      for (const [request, owner] of polls) if (owner === page) polls.delete(request);
      inFlight = polls.size;
    }),
  );

  const fulfil = (route: Route, body: unknown, status = 200) => route.fulfill({ status, json: body, headers }).catch(() => undefined);

  await context.route('**/api/chat/poll?**', async (route) => {
    const url = new URL(route.request().url());
    const follows = url.searchParams.getAll('follow').map((entry) => {
      const at = entry.indexOf('@');
      return at < 0 ? { room: entry, after: undefined } : { room: entry.slice(0, at), after: entry.slice(at + 1) };
    });
    const answer = () => Object.fromEntries(follows.map(({ room, after }) => [room, read(room, after)]));
    const news = () => follows.some(({ room, after }) => after === undefined || read(room, after).messages.length > 0 || 'reset' in read(room, after));
    if (!news()) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          if (!news()) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve();
        }, pollTimeoutMs);
        waiters.add(wake);
      });
    }
    await fulfil(route, { rooms: answer() });
  });
  await context.route('**/api/chat/messages**', async (route) => {
    const request = route.request();
    if (request.method() === 'POST') {
      const { room: name, text, author } = request.postDataJSON() as { room: string; text: string; author?: string };
      const room = roomOf(name);
      const key = request.headers()['idempotency-key'];
      const repeated = key ? room.keys.get(key) : undefined;
      if (repeated) return fulfil(route, repeated, 200);
      const message = { id: (room.messages.at(-1)?.id ?? 0) + 1, epoch: room.epoch, text, author: author || 'anonymous', at: Date.now(), room: name };
      room.messages.push(message);
      if (key) room.keys.set(key, message);
      for (const wake of [...waiters]) wake();
      return fulfil(route, message, 201);
    }
    const tab = request.headers()['x-comet-tab'];
    if (tab && armedTabs.delete(tab)) {
      return route.fulfill({ status: 503, json: { error: 'failing this poll on purpose' }, headers: { 'Retry-After': '2' } }).catch(() => undefined);
    }
    const url = new URL(request.url());
    return fulfil(route, read(url.searchParams.get('room')!, url.searchParams.get('after') ?? undefined));
  });
  await context.route('**/api/faults', async (route) => {
    const { tab } = route.request().postDataJSON() as { tab: string };
    armedTabs.add(tab);
    await route.fulfill({ status: 204 }).catch(() => undefined);
  });
  return {
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetMax() {
      maxInFlight = inFlight;
    },
  };
}
