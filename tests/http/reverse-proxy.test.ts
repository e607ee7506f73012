import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionNginx } from '../../scripts/find-nginx.mjs';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * The README's nginx example, run for real: Debian's nginx with exactly the README's
 * `location` block in front of the site, on a free port. Posts (whose Origin carries the
 * proxy's port), long polls, the clock frame and the event stream must all work through it.
 */
const nginx = provisionNginx({ log: () => {} }) as { path: string } | { skip: string };
if ('skip' in nginx) console.warn(`reverse-proxy: ${nginx.skip}`);

let server: TestServer;
let proxy: ChildProcess | undefined;
let proxyOrigin = '';
let folder = '';

/** The ```nginx block of the README, pointed at the test server. */
function readmeLocationBlock(upstreamPort: number): string {
  const readme = readFileSync('README.md', 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('the README has no nginx example');
  return block.replaceAll('127.0.0.1:4321', `127.0.0.1:${upstreamPort}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

beforeAll(async () => {
  if ('skip' in nginx) return;
  server = await startTestServer({ env: { POLL_TIMEOUT_MS: '20000' } });
  const port = await freePort();
  folder = mkdtempSync(path.join(tmpdir(), 'comet-nginx-'));
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(folder, name));
  const conf = [
    'daemon off;',
    'master_process off;',
    `pid ${folder}/nginx.pid;`,
    `error_log ${folder}/error.log;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name === 'body' ? 'client_body' : name}_temp_path ${folder}/${name};`),
    '  server {',
    `    listen 127.0.0.1:${port};`,
    readmeLocationBlock(Number(new URL(server.origin).port)),
    '  }',
    '}',
  ].join('\n');
  writeFileSync(path.join(folder, 'nginx.conf'), conf);
  proxy = spawn(nginx.path, ['-p', folder, '-c', path.join(folder, 'nginx.conf'), '-e', path.join(folder, 'error.log')], { stdio: 'ignore' });
  proxyOrigin = `http://127.0.0.1:${port}`;
  await eventually(async () => expect((await fetch(`${proxyOrigin}/api/stats`)).status).toBe(200), { timeoutMs: 10_000 });
});

afterAll(async () => {
  if (proxy && proxy.exitCode === null) {
    const exited = new Promise((resolve) => proxy!.once('exit', resolve));
    proxy.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const post = (room: string, text: string) =>
  fetch(`${proxyOrigin}/api/chat/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: proxyOrigin },
    body: JSON.stringify({ room, text }),
  });

/** Reads a streamed body until `done` says enough arrived. */
async function readUntil(body: ReadableStream<Uint8Array>, done: (text: string) => boolean): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe.skipIf('skip' in nginx)('behind nginx, with the README example', () => {
  it('a post from a page of the proxied origin (port included) is accepted', async () => {
    const response = await post('proxy-post', 'through nginx');
    expect(response.status).toBe(201);
  });

  it('a long poll is held through the proxy and answered by a post', async () => {
    const { cursor } = (await (await fetch(`${proxyOrigin}/api/chat/messages?room=proxy-poll`)).json()) as { cursor: unknown };
    const poll = fetch(`${proxyOrigin}/api/chat/messages?room=proxy-poll&after=${encodeURIComponent(String(cursor))}`);
    await eventually(async () => expect((await (await fetch(server.url('/api/stats'))).json()).gauges.chatWaiters).toBe(1));
    expect((await post('proxy-poll', 'news')).status).toBe(201);
    const answer = await poll;
    expect(((await answer.json()) as { messages: Array<{ text: string }> }).messages.map(({ text }) => text)).toEqual(['news']);
  });

  it('the clock frame streams its ticks as they are written', async () => {
    const response = await fetch(`${proxyOrigin}/api/clock/frame`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    // A buffering proxy would hold the ticks until a buffer fills: three would never arrive.
    const text = await readUntil(response.body!, (sofar) => (sofar.match(/<script/g) ?? []).length >= 4);
    expect((text.match(/<script/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });

  it('the event stream delivers its position, then a message posted meanwhile', async () => {
    const response = await fetch(`${proxyOrigin}/api/chat/events?room=proxy-events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) text += decoder.decode((await reader.read()).value, { stream: true }); // the first event
    expect((await post('proxy-events', 'streamed')).status).toBe(201);
    while (!text.includes('streamed')) text += decoder.decode((await reader.read()).value, { stream: true });
    await reader.cancel();
    expect(text).toContain('streamed');
  });
});
