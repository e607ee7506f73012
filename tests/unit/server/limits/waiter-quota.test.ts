import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.ts';
import { createWaiterQuota } from '../../../../src/server/limits/waiter-quota.ts';

function refusal(work: () => unknown): HttpError {
  try {
    work();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('waiter quota', () => {
  it('refuses a client past its share with 429, and everyone past the total with 503, both with Retry-After', () => {
    const quota = createWaiterQuota({ maxTotal: 3, maxPerClient: 2, what: 'clock frames' });
    quota.acquire('a');
    quota.acquire('a');
    const tooMany = refusal(() => quota.acquire('a'));
    expect(tooMany.status).toBe(429);
    expect(tooMany.message).toBe('too many clock frames from one client; at most 2 at once');
    expect(tooMany.headers['Retry-After']).toMatch(/^[1-9]\d*$/);

    quota.acquire('b');
    const full = refusal(() => quota.acquire('c'));
    expect(full.status).toBe(503);
    expect(full.message).toContain('as many clock frames as it can');
    expect(full.headers['Retry-After']).toMatch(/^[1-9]\d*$/);
  });

  it('gives a place back once, however often its release is called', () => {
    const quota = createWaiterQuota({ maxTotal: 10, maxPerClient: 1 });
    const release = quota.acquire('a');
    release();
    release();
    expect(quota.held).toBe(0);
    quota.acquire('a');
    expect(refusal(() => quota.acquire('a')).message).toContain('waiting requests');
    expect(quota.held).toBe(1);
  });

  it('lifts only the per-client share when per-client limits are off', () => {
    const quota = createWaiterQuota({ maxTotal: 2, maxPerClient: 1, perClientEnabled: false });
    quota.acquire('a');
    quota.acquire('a');
    expect(refusal(() => quota.acquire('a')).status).toBe(503);
  });

  it('counts places the server takes for itself against the total only, and says how many are free', () => {
    const quota = createWaiterQuota({ maxTotal: 3, maxPerClient: 1 });
    const release = quota.acquireForServer();
    quota.acquireForServer();
    expect(quota.free).toBe(1);
    quota.acquire('a');
    expect(refusal(() => quota.acquire('b')).status).toBe(503);
    expect(refusal(() => quota.acquireForServer()).status).toBe(503);
    release();
    release();
    expect(quota.free).toBe(1);
  });
});
