import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpError, jsonResponse, MAX_RETRY_AFTER_SECONDS, tooManyRequests } from '../../../../src/server/http/http-error.ts';
import { headersOnly, serveRoute, type Route } from '../../../../src/server/http/route.ts';

const site = { name: 'test site' };
type TestSite = typeof site;
const call = { site, socketAddress: '::ffff:10.0.0.7', trustProxy: false };
const request = (method: string, path = '/api/thing') => new Request(`http://localhost${path}`, { method });

afterEach(() => vi.restoreAllMocks());

describe('serveRoute', () => {
  it('hands the handler the request, the client identity and the site', async () => {
    const GET = vi.fn((_request: Request, client: string, given: TestSite) => jsonResponse({ client, site: given.name }));
    const response = await serveRoute<TestSite>({ GET }, request('GET'), call);
    expect(await response.json()).toEqual({ client: '10.0.0.7', site: 'test site' });
  });

  it.each(['PUT', 'DELETE', 'PROPFIND', 'POST'])('answers %s on a GET route with a JSON 405 naming GET and HEAD', async (method) => {
    const response = await serveRoute<TestSite>({ GET: () => jsonResponse({}), hint: '(read only)' }, request(method), call);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect((await response.json()).error).toBe(`${method} is not allowed here; use GET, HEAD (read only)`);
  });

  it('maps an HttpError to its status and JSON, and caps Retry-After', async () => {
    const route: Route<TestSite> = {
      GET: () => {
        throw tooManyRequests('slow down', 10_000);
      },
    };
    const response = await serveRoute(route, request('GET'), call);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(String(MAX_RETRY_AFTER_SECONDS));
    const raw = await serveRoute<TestSite>({ GET: () => Promise.reject(new HttpError(503, 'x', { 'Retry-After': '86400' })) }, request('GET'), call);
    expect(raw.headers.get('retry-after')).toBe('300');
    const direct = await serveRoute<TestSite>({ GET: () => jsonResponse({}, { status: 503, headers: { 'Retry-After': '3600' } }) }, request('GET'), call);
    expect(direct.headers.get('retry-after')).toBe('300');
  });

  it('logs the unexpected once, with the method and path, and answers a JSON 500', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await serveRoute<TestSite>({ POST: () => Promise.reject(new TypeError('boom')) }, request('POST', '/api/x'), call);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal error' });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toContain('POST /api/x');
  });

  it('answers EMFILE with a 503 and Retry-After, without a log line', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const error = Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    const response = await serveRoute<TestSite>({ GET: () => Promise.reject(error) }, request('GET'), call);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(log).not.toHaveBeenCalled();
  });

  it('answers HEAD with GET’s status and headers and no body, cancelling the body GET made', async () => {
    let cancelled = false;
    const GET = () =>
      new Response(new ReadableStream({ cancel: () => void (cancelled = true) }), { headers: { 'Content-Type': 'text/plain', 'X-Thing': '1' } });
    const response = await serveRoute<TestSite>({ GET }, request('HEAD'), call);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-thing')).toBe('1');
    expect(response.body).toBeNull();
    expect(cancelled).toBe(true);
  });

  it('uses a route’s own HEAD when it has one, and never its GET', async () => {
    const GET = vi.fn(() => jsonResponse({}));
    const response = await serveRoute<TestSite>({ GET, HEAD: () => headersOnly('text/event-stream') }, request('HEAD'), call);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(GET).not.toHaveBeenCalled();
  });
});
