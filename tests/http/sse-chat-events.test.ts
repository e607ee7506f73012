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
};

async function readEvents(response: Response, count: number): Promise<number[]> {
  const reader = response.body!.getReader();
  let text = '';
  const ids = () => [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
  while (ids().length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return ids();
}

describe('GET /api/chat/events', () => {
  it('streams the room as text/event-stream, each message once with its id', async () => {
    const abort = new AbortController();
    await post('sse-a', 'first');
    const response = await fetch(server.url('/api/chat/events?room=sse-a'), { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const events = readEvents(response, 3);
    await post('sse-a', 'second');
    await post('sse-a', 'third');
    expect(await events).toEqual([1, 2, 3]);
    abort.abort();
  });

  it('resumes from Last-Event-ID, as a reconnecting EventSource asks', async () => {
    for (const text of ['a', 'b', 'c']) await post('sse-b', text);
    const abort = new AbortController();
    const response = await fetch(server.url('/api/chat/events?room=sse-b'), {
      signal: abort.signal,
      headers: { 'Last-Event-ID': '2' },
    });
    expect(await readEvents(response, 1)).toEqual([3]);
    abort.abort();
  });

  it('releases the stream when the client goes away', async () => {
    const clients = Array.from({ length: 3 }, () => new AbortController());
    const responses = await Promise.all(
      clients.map((client) => fetch(server.url('/api/chat/events?room=sse-c&after=0'), { signal: client.signal })),
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
  ])('answers %s %j with a 400 and a JSON reason', async (search, headers) => {
    const response = await fetch(server.url(`/api/chat/events${search}`), { headers });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual(expect.any(String));
  });
});
