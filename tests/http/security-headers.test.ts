import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('security headers', () => {
  it.each(['/', '/lessons/forever-frame/', '/api/stats', '/favicon.svg'])('%s is never sniffed or framed', async (path) => {
    const response = await fetch(server.url(path));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it("pages allow only the site's own scripts", async () => {
    const html = await (await fetch(server.url('/lessons/forever-frame/'))).text();
    const policy = html.match(/<meta http-equiv="content-security-policy" content="([^"]+)"/)?.[1];
    expect(policy).toBeDefined();
    const scriptSrc = policy!.split(';').find((directive) => directive.trim().startsWith('script-src'))!;
    // The site's own files and hashed scripts, plus WebAssembly for the search index (Pagefind): nothing else.
    const sources = scriptSrc.trim().split(/\s+/).slice(1).filter((source) => !source.startsWith("'sha256-"));
    expect(sources.sort()).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy).toContain("default-src 'self'");
  });

  it('only the clock frame may be framed, and only by the site itself', async () => {
    const abort = new AbortController();
    const response = await fetch(server.url('/api/clock/frame'), { signal: abort.signal });
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    abort.abort();
  });
});

describe('answers written before a request reaches the site', () => {
  it('carry the same security headers (bytes that are not HTTP get a JSON 400)', async () => {
    const { sendRaw } = await import('../support/raw-http.ts');
    const outcome = await sendRaw(Number(new URL(server.origin).port), ['NOT HTTP AT ALL\r\n\r\n']);
    expect(outcome.status).toBe(400);
    expect(outcome.headers['x-content-type-options']).toBe('nosniff');
    expect(outcome.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(outcome.headers['x-frame-options']).toBe('DENY');
    expect(outcome.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  });
});
