import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
