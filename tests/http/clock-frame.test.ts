import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const decoder = new TextDecoder();

describe('GET /api/clock/frame', () => {
  it('answers with an uncompressed, uncached, unbuffered HTML stream', async () => {
    const abort = new AbortController();
    const response = await fetch(server.url('/api/clock/frame'), {
      signal: abort.signal,
      headers: { 'Accept-Encoding': 'gzip, br' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('content-encoding')).toBeNull();
    abort.abort();
  });

  it('sends its first bytes at once, then ticks arrive one at a time about a second apart', async () => {
    const abort = new AbortController();
    const response = await fetch(server.url('/api/clock/frame'), { signal: abort.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    // The document's head comes in a read of its own, before any tick: sent at once, not with the first tick.
    expect(decoder.decode(first.value)).toContain('<!doctype html>');
    expect(decoder.decode(first.value)).not.toContain('"type":"tick"');

    // Each tick in its own read, the first long before the last: the document is streamed,
    // not buffered. The spacing itself comes from the server's clock, not from this busy test process.
    const tickReads: number[] = [];
    const arrivals: number[] = [];
    const serverTimes: number[] = [];
    let reads = 0;
    let text = '';
    while (serverTimes.length < 3) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the frame ended early');
      reads += 1;
      text += decoder.decode(value, { stream: true });
      for (const match of text.matchAll(/deliver\((\{"type":"tick".*?\})\)<\/script>/g)) {
        tickReads.push(reads);
        arrivals.push(performance.now());
        serverTimes.push(JSON.parse(match[1]!).serverTime);
      }
      text = text.slice(text.lastIndexOf('</script>') + '</script>'.length);
    }
    abort.abort();
    expect(new Set(tickReads).size).toBe(3);
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThan(1_000);
    const serverGaps = serverTimes.slice(1).map((at, index) => at - serverTimes[index]!);
    for (const gap of serverGaps) expect(gap).toBeGreaterThan(900); // one tick per interval, never faster (a busy machine may be late)
  });

  it('releases the stream when the client disconnects', async () => {
    const clients = Array.from({ length: 5 }, () => new AbortController());
    const responses = await Promise.all(
      clients.map((client) => fetch(server.url('/api/clock/frame'), { signal: client.signal })),
    );
    await Promise.all(responses.map((response) => response.body!.getReader().read()));
    expect((await readGauges(server)).clockStreams).toBe(5);
    clients.forEach((client) => client.abort());
    await eventually(async () => expect((await readGauges(server)).clockStreams).toBe(0));
  });

  it.each(['?interval=fast', '?interval=10', '?maxBytes=999999999', '?callback=x', '?interval=1000&interval=2000'])(
    'answers %s with a 400 and a JSON reason',
    async (search) => {
      const response = await fetch(server.url(`/api/clock/frame${search}`));
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await response.json()).error).toEqual(expect.any(String));
    },
  );
});
