// Checks for body validation. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/http/http-error.ts';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('../../src/server/http/read-json-body.ts');
const yours = await loadImplementation<Module>(new URL('../../src/server/http/read-json-body.ts', import.meta.url));

const MAX_BYTES = 64;
const URL_ = 'http://127.0.0.1/api/chat/messages';

function post(body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return new Request(URL_, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

/** The status readJsonBody answers with, or the parsed value as JSON. */
async function outcome(request: Request): Promise<string> {
  try {
    return `value ${JSON.stringify(await yours.readJsonBody(request, MAX_BYTES))}`;
  } catch (error) {
    return error instanceof HttpError ? String(error.status) : `a ${(error as Error).name}, not an HttpError`;
  }
}

/** A body far larger than maxBytes (4 KiB, 16 bytes per pull) that counts how much was pulled. */
function endlessBody() {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= 4_096) return controller.close(); // bounded, so a wrong answer cannot exhaust memory
      pulled += 16;
      controller.enqueue(new TextEncoder().encode('"aaaaaaaaaaaaaa"'.slice(0, 16)));
    },
  });
  return { stream, pulled: () => pulled };
}

describe('body validation', () => {
  it('Answer 415 when the body is not declared as JSON', async () => {
    expect(await outcome(post('{"text":"hi"}', { 'content-type': 'text/plain' }))).toBe('415');
    expect(await outcome(post('{"text":"hi"}', {})), 'no Content-Type at all').toBe('415');
    expect(await outcome(post('{"text":"hi"}', { 'content-type': 'application/json; charset=latin1' })), 'JSON in another charset').toBe('415');
  });

  it('Return the parsed value of a small JSON body', async () => {
    expect(await outcome(post('{"text":"hi"}'))).toBe('value {"text":"hi"}');
    expect(await outcome(post('[1,2]', { 'content-type': 'Application/JSON; charset=utf-8' }))).toBe('value [1,2]');
  });

  it('Answer 400 to a body that is not JSON', async () => {
    expect(await outcome(post('{"text":'))).toBe('400');
    expect(await outcome(post(''))).toBe('400');
  });

  it('Answer 400 to bytes that are not UTF-8', async () => {
    expect(await outcome(post(new Uint8Array([0x22, 0xff, 0xfe, 0x22])))).toBe('400');
  });

  it('Answer 413 when Content-Length announces more than maxBytes, before reading', async () => {
    const body = endlessBody();
    const request = post(body.stream, { 'content-type': 'application/json', 'content-length': String(MAX_BYTES + 1) });
    expect(await outcome(request)).toBe('413');
  });

  it('Answer 413 once more than maxBytes arrive, without buffering the rest', async () => {
    const body = endlessBody();
    expect(await outcome(post(body.stream))).toBe('413');
    expect(body.pulled(), 'stop reading soon after maxBytes').toBeLessThanOrEqual(MAX_BYTES + 64);
  });
});
