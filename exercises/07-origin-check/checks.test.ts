// Checks for the Origin check. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/http/http-error.ts';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('../../src/server/http/allowed-origin.ts');
const yours = await loadImplementation<Module>(new URL('../../src/server/http/allowed-origin.ts', import.meta.url));

const post = (origin?: string) =>
  new Request('http://127.0.0.1:4321/api/chat/messages', { method: 'POST', headers: origin ? { origin } : {} });

function outcome(request: Request, allowed: string[] = []): string {
  try {
    yours.assertAllowedOrigin(request, allowed);
    return 'passes';
  } catch (error) {
    return error instanceof HttpError ? `${error.status}: ${error.message}` : `a ${(error as Error).name}, not an HttpError`;
  }
}

describe('the Origin check', () => {
  it('Refuse a write from a page of another site with 403', () => {
    expect(outcome(post('https://evil.example'))).toMatch(/^403/);
  });

  it('Name the refused origin in the message', () => {
    expect(outcome(post('https://evil.example'))).toContain('https://evil.example');
  });

  it("Let a write from the server's own pages pass", () => {
    expect(outcome(post('http://127.0.0.1:4321'))).toBe('passes');
  });

  it('Let a request without an Origin header pass (curl, a server)', () => {
    expect(outcome(post())).toBe('passes');
  });

  it('Let the origins listed in ALLOWED_ORIGINS pass, exactly as listed', () => {
    const allowed = ['https://comet.example'];
    expect(outcome(post('https://comet.example'), allowed)).toBe('passes');
    expect(outcome(post('https://comet.example.evil.example'), allowed), 'a longer origin is another origin').toMatch(/^403/);
    expect(outcome(post('http://comet.example'), allowed), 'another scheme is another origin').toMatch(/^403/);
    expect(outcome(post('http://127.0.0.1:4322')), 'another port is another origin').toMatch(/^403/);
  });

  it('Refuse the "null" origin of sandboxed frames and files', () => {
    expect(outcome(post('null'))).toMatch(/^403/);
  });
});
