import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// The socket as the built site serves it: scripts/serve.ts hands the upgrade to the site.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const socketUrl = (query: string) => `${server.origin.replace('http:', 'ws:')}/api/chat/socket?${query}`;

function frames(ws: WebSocket) {
  const received: any[] = [];
  const waiting = new Set<() => void>();
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)));
    for (const check of waiting) check();
  });
  return (match: (frame: any) => boolean) =>
    new Promise<any>((resolve) => {
      const check = () => {
        const found = received.find(match);
        if (found) {
          waiting.delete(check);
          resolve(found);
        }
      };
      waiting.add(check);
      check();
    });
}

describe('the chat socket on the built site', () => {
  it('refuses a page of another origin with a JSON 403', async () => {
    const ws = new WebSocket(socketUrl('room=site-origin'), { origin: 'https://evil.example' });
    ws.on('error', () => {});
    const response = await new Promise<IncomingMessage>((resolve) => ws.on('unexpected-response', (_request, res) => resolve(res)));
    let body = '';
    for await (const chunk of response) body += chunk;
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(body).error).toMatch(/evil\.example/);
  });

  it('delivers a post made over HTTP to the socket, and a post over the socket to HTTP readers', async () => {
    const ws = new WebSocket(socketUrl('room=site-both'), { origin: server.origin });
    const next = frames(ws);
    await next((f) => f.type === 'position');
    const posted = await fetch(server.url('/api/chat/messages'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 'site-both', text: 'from HTTP' }),
    });
    expect(posted.status).toBe(201);
    await next((f) => f.type === 'messages' && f.messages.some((m: any) => m.text === 'from HTTP'));

    ws.send(JSON.stringify({ type: 'post', key: 'site-key', text: 'from the socket' }));
    expect(await next((f) => f.type === 'posted')).toMatchObject({ key: 'site-key', message: { text: 'from the socket' } });
    const answer = await (await fetch(server.url('/api/chat/messages?room=site-both'))).json();
    expect(answer.messages.map((m: any) => m.text)).toEqual(['from HTTP', 'from the socket']);
    ws.close();
  });

  it('closes open sockets with 1001 when the server shuts down', async () => {
    const ws = new WebSocket(socketUrl('room=site-bye'));
    const next = frames(ws);
    await next((f) => f.type === 'position');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await server.restart();
    expect(await closed).toBe(1001);
  });
});
