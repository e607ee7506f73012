import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * With the process's open-file limit reached (EMFILE), every answer the server does start is
 * complete and truthful (a JSON 503 with Retry-After where nothing else is possible), and it
 * recovers when clients leave. The limit is lowered on the running server with prlimit(1).
 */
const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((file) => existsSync(file));

let server: TestServer;
beforeAll(async () => {
  if (!prlimit) return;
  server = await startTestServer({ env: { RATE_LIMITS: 'off' } });
});
afterAll(() => server?.stop());

/** Reads whatever arrives on `socket` until `enough` says the answer is whole, or the socket closes. */
function answerOn(socket: net.Socket, request: string): Promise<{ status: number; headers: string; body: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const done = (closed: boolean) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      const end = received.indexOf('\r\n\r\n');
      const headers = end < 0 ? '' : received.subarray(0, end).toString('latin1');
      resolve({ status: Number(headers.split(' ')[1] ?? 0), headers, body: received.subarray(end + 4), closed });
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received.subarray(0, Math.max(0, end)).toString('latin1'))?.[1];
      if (end >= 0 && length !== undefined && received.length - end - 4 >= Number(length)) done(false);
    };
    const onClose = () => done(true);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(request);
  });
}

describe.skipIf(!prlimit)('out of open files (EMFILE)', () => {
  it('every answer started is complete and truthful, and the server recovers when clients leave', async () => {
    const pid = server.pid!;
    // A connection opened before the limit bites: requests on it need no accept().
    const keepAlive = net.connect(Number(new URL(server.origin).port), '127.0.0.1');
    await new Promise((resolve) => keepAlive.once('connect', resolve));
    const limit = readdirSync(`/proc/${pid}/fd`).length + 30;
    execFileSync(prlimit!, [`--pid=${pid}`, `--nofile=${limit}:${limit}`]);

    const held: net.Socket[] = [];
    for (let i = 0; i < 60; i++) {
      const socket = net.connect(Number(new URL(server.origin).port), '127.0.0.1', () =>
        socket.write(`GET /api/chat/messages?room=open-files&after=0.0 HTTP/1.1\r\nHost: localhost\r\n\r\n`),
      );
      socket.on('error', () => {});
      held.push(socket);
    }
    await eventually(async () => expect(readdirSync(`/proc/${pid}/fd`).length).toBeGreaterThanOrEqual(limit - 1));

    const statuses: number[] = [];
    for (const target of ['/', '/lessons/forever-frame/', '/api/stats', '/api/chat/messages?room=open-files-2', '/favicon.svg']) {
      const answer = await answerOn(keepAlive, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      statuses.push(answer.status);
      expect(answer.closed, `${target}: answered before any close`).toBe(false);
      expect([200, 503], target).toContain(answer.status);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer.headers)![1]);
      expect(answer.body.byteLength, `${target}: the whole body`).toBe(length);
      if (answer.status === 503) {
        expect(answer.headers).toMatch(/\r\nretry-after: [1-9]\d*/i);
        expect(answer.headers).toMatch(/\r\ncontent-type: application\/json/i);
        expect(JSON.parse(answer.body.toString()).error).toEqual(expect.any(String));
      }
    }
    expect(statuses).toContain(503); // the limit was reached: files could not be opened
    expect(server.output()).not.toMatch(/\n\s+at /); // no stack trace

    for (const socket of [...held, keepAlive]) socket.destroy();
    await eventually(async () => {
      for (const target of ['/', '/api/stats']) expect((await fetch(server.url(target))).status).toBe(200);
    }, { timeoutMs: 10_000 });
  });
});
