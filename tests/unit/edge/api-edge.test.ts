import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { SEND_TIMEOUT_MS, writeResponse } from '../../../scripts/api-edge.ts';

const edge = JSON.stringify(new URL('../../../scripts/api-edge.ts', import.meta.url).href);

/**
 * Runs `body` in a child Node with --expose-gc, inside a loopback server whose handler makes
 * each request's Web `Request` (and keeps only its signal, as a held poll does) and never
 * answers; prints what `body` logs.
 */
function inChild(body: string): string {
  const script = `
    import http from 'node:http';
    import net from 'node:net';
    import { webRequestOf } from ${edge};
    const signals = [];
    const server = http.createServer((req, res) => void signals.push(webRequestOf(req, res).signal));
    server.httpAllowHalfOpen = true;
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const open = (count, { halfClose = false } = {}) => Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET /api/chat/messages?room=x HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n');
        if (halfClose) socket.end();
        resolve(socket);
      });
      socket.on('error', () => {});
    })));
    const until = async (test) => { while (!test()) await new Promise((resolve) => setTimeout(resolve, 5)); };
    const collect = async () => { for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 10)); } };
    ${body}
    server.closeAllConnections();
    server.close();
  `;
  // The time limit only ends a child that would otherwise wait forever for an abort that never comes.
  return execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 }).trim();
}

describe('the API edge: a request’s signal', () => {
  it('aborts when its client leaves, even after a garbage collection (the Request stays reachable)', () => {
    const output = inChild(`
      const sockets = await open(100);
      await until(() => signals.length === 100);
      await collect();
      console.log(signals.filter((signal) => signal.aborted).length);
      for (const socket of sockets) socket.destroy();
      await until(() => signals.every((signal) => signal.aborted));
      console.log(signals.filter((signal) => signal.aborted).length);
    `);
    expect(output.split('\n')).toEqual(['0', '100']);
  });

  it('aborts for a GET whose client half-closes, with the reason', () => {
    const output = inChild(`
      await open(20, { halfClose: true });
      await until(() => signals.length === 20);
      await collect();
      await until(() => signals.every((signal) => signal.aborted));
      console.log(signals.filter((signal) => signal.aborted).length, signals[0].reason.message);
    `);
    expect(output).toBe('20 the client closed its side of the connection');
  });
});

describe('the API edge: writing a streamed body', () => {
  /** A stand-in for Node's response whose socket is full until `drain`. */
  function slowResponse() {
    const res = Object.assign(new EventEmitter(), {
      destroyed: false,
      headersSent: false,
      statusCode: 200,
      written: [] as Uint8Array[],
      ended: false,
      full: true,
      setHeader() {},
      flushHeaders() {
        res.headersSent = true;
      },
      write(chunk: Uint8Array) {
        res.written.push(chunk);
        return !res.full;
      },
      end(chunk?: Uint8Array) {
        if (chunk) res.written.push(chunk);
        res.ended = true;
      },
      destroy() {
        res.destroyed = true;
      },
    });
    return res;
  }

  it('takes no further chunk from the stream while Node’s socket is full, and goes on after drain', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls += 1;
          controller.enqueue(new TextEncoder().encode(`event ${pulls}\n`));
          if (pulls === 5) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const res = slowResponse();
    const writing = writeResponse(new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }), res as never);
    await vi.waitFor(() => expect(res.written).toHaveLength(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(res.written).toHaveLength(1); // waiting for drain: the stream keeps its next events
    expect(pulls).toBe(1);
    res.full = false;
    res.emit('drain');
    await writing;
    expect(res.written.map((chunk) => new TextDecoder().decode(chunk))).toEqual(['event 1\n', 'event 2\n', 'event 3\n', 'event 4\n', 'event 5\n']);
    expect(res.ended).toBe(true);
  });

  it('cuts the connection when the client takes no write for SEND_TIMEOUT_MS, and not before', async () => {
    vi.useFakeTimers();
    try {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('event\n'));
        },
      });
      const res = slowResponse();
      const writing = writeResponse(new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }), res as never);
      await vi.advanceTimersByTimeAsync(0); // the first write, which finds the socket full
      expect(res.written).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(SEND_TIMEOUT_MS - 1);
      expect(res.destroyed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await writing;
      expect(res.destroyed).toBe(true);
      expect(res.written).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a held answer’s bytes when they are known, with the headers sent before', async () => {
    const { deferredJsonResponse } = await import('../../../src/server/http/deferred-json-response.ts');
    let answer!: (value: string) => void;
    const response = deferredJsonResponse(new Promise<string>((resolve) => (answer = resolve)), (text) => new TextEncoder().encode(text));
    const res = slowResponse();
    const writing = writeResponse(response, res as never);
    await vi.waitFor(() => expect(res.headersSent).toBe(true));
    expect(res.ended).toBe(false);
    answer('{"messages":[]}');
    await writing;
    expect(res.ended).toBe(true);
    expect(new TextDecoder().decode(res.written[0])).toBe('{"messages":[]}');
  });
});
