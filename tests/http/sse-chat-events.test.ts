import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const decoder = new TextDecoder();
const post = async (room: string, text: string) => {
  const response = await fetch(server.url('/api/chat/messages'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room, text }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: number; epoch: string; text: string };
};

interface StreamEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads Server-Sent Events (WHATWG HTML §9.2.6) until `until` says enough, or the stream ends. */
async function readEvents(response: Response, until: (events: StreamEvent[]) => boolean): Promise<{ events: StreamEvent[]; raw: string }> {
  const reader = response.body!.getReader();
  let raw = '';
  const parse = () =>
    raw
      .split('\n\n')
      .slice(0, -1)
      .map((block) => {
        const event: StreamEvent = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          const value = rest.join(': ');
          if (field === 'event') event.event = value;
          if (field === 'id') event.id = value;
          if (field === 'data') event.data = value;
        }
        return event;
      })
      .filter((event) => event.id !== undefined || event.data !== '');
  while (!until(parse())) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += decoder.decode(value);
  }
  await reader.cancel().catch(() => {});
  return { events: parse(), raw };
}
const texts = (events: StreamEvent[]) => events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).text);
const countMessages = (count: number) => (events: StreamEvent[]) => texts(events).length >= count;
const open = (search: string, headers: Record<string, string> = {}) => fetch(server.url(`/api/chat/events${search}`), { headers });

describe('GET /api/chat/events', () => {
  it('sends its position first, then each message once with its cursor as id', async () => {
    const first = await post('sse-a', 'first');
    const response = await open('?room=sse-a');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reading = readEvents(response, countMessages(3));
    await post('sse-a', 'second');
    await post('sse-a', 'third');
    const { events, raw } = await reading;
    expect(raw.startsWith('retry: 2000\n\n')).toBe(true);
    expect(events[0]).toEqual({ event: 'position', id: `${first.epoch}.0`, data: JSON.stringify({ cursor: `${first.epoch}.0`, heartbeatMs: 15_000 }) });
    expect(texts(events)).toEqual(['first', 'second', 'third']);
    expect(events.slice(1).map((event) => event.id)).toEqual([1, 2, 3].map((id) => `${first.epoch}.${id}`));
  });

  it('resumes from Last-Event-ID, as a reconnecting EventSource asks', async () => {
    let epoch = '';
    for (const text of ['a', 'b', 'c']) epoch = (await post('sse-b', text)).epoch;
    const { events } = await readEvents(await open('?room=sse-b', { 'Last-Event-ID': `${epoch}.2` }), countMessages(1));
    expect(events[0]).toMatchObject({ event: 'position', id: `${epoch}.2` });
    expect(texts(events)).toEqual(['c']);
  });

  it('resumes a stream that saw no message yet: the position is an id the browser sends back', async () => {
    const { events } = await readEvents(await open('?room=sse-empty'), (seen) => seen.length >= 1);
    expect(events[0]).toMatchObject({ event: 'position', id: '0.0' });
    await post('sse-empty', 'while away'); // posted between the two connections
    const resumed = await readEvents(await open('?room=sse-empty', { 'Last-Event-ID': events[0]!.id! }), countMessages(1));
    expect(texts(resumed.events)).toEqual(['while away']);
  });

  it('sends a reset with the retained messages to a bare integer or another incarnation', async () => {
    const message = await post('sse-r', 'only');
    for (const lastEventId of ['7', 'zzzzzzzz.1']) {
      const { events } = await readEvents(await open('?room=sse-r', { 'Last-Event-ID': lastEventId }), (seen) => seen.some((e) => e.event === 'reset'));
      const reset = events.find((event) => event.event === 'reset')!;
      expect(reset.id).toBe(`${message.epoch}.1`);
      expect(JSON.parse(reset.data)).toEqual({ messages: [expect.objectContaining({ text: 'only' })], cursor: `${message.epoch}.1` });
    }
  });

  it('refuses a fifth stream from one client inside a 200 stream: retry, a refused event, then the end', async () => {
    const clients = Array.from({ length: 4 }, () => new AbortController());
    const held = await Promise.all(clients.map((client) => fetch(server.url('/api/chat/events?room=sse-f'), { signal: client.signal })));
    await Promise.all(held.map((response) => response.body!.getReader().read()));
    const fifth = await open('?room=sse-f');
    expect(fifth.status).toBe(200);
    expect(fifth.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const body = await fifth.text(); // the stream ends by itself
    expect(body).toMatch(/^retry: (\d+)\nevent: refused\ndata: .*\n\n$/);
    const [, retry] = /^retry: (\d+)/.exec(body)!;
    const data = JSON.parse(/data: (.*)\n/.exec(body)![1]!);
    expect(data).toEqual({ error: expect.stringContaining('event streams'), retryAfterMs: Number(retry) });
    expect(data.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(data.retryAfterMs).toBeLessThanOrEqual(300_000);
    clients.forEach((client) => client.abort());
    await eventually(async () => expect((await readGauges(server)).sseStreams).toBe(0));
  });

  it('releases the stream when the client goes away', async () => {
    const clients = Array.from({ length: 3 }, () => new AbortController());
    const responses = await Promise.all(
      clients.map((client) => fetch(server.url('/api/chat/events?room=sse-c&after=0.0'), { signal: client.signal })),
    );
    await Promise.all(responses.map((response) => response.body!.getReader().read()));
    expect((await readGauges(server)).sseStreams).toBe(3);
    clients.forEach((client) => client.abort());
    await eventually(async () => {
      const gauges = await readGauges(server);
      expect([gauges.sseStreams, gauges.chatWaiters]).toEqual([0, 0]);
    });
  });

  it.each([
    ['?room=Bad!', {}],
    ['?after=-1', {}],
    ['?what=1', {}],
    ['', { 'Last-Event-ID': 'abc' }],
    ['', { 'Last-Event-ID': 'AB.1' }],
  ])('answers %s %j with a 400 and a JSON reason', async (search, headers) => {
    const response = await fetch(server.url(`/api/chat/events${search}`), { headers });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual(expect.any(String));
  });

  it('resumes from Last-Event-ID across a restart on the same data folder', async () => {
    const message = await post('sse-restart', 'before');
    await server.restart();
    const reading = readEvents(await open('?room=sse-restart', { 'Last-Event-ID': `${message.epoch}.1` }), countMessages(1));
    await post('sse-restart', 'after');
    const { events } = await reading;
    expect(events.some((event) => event.event === 'reset')).toBe(false);
    expect(texts(events)).toEqual(['after']);
  });
});
