import { describe, expect, it } from 'vitest';
import { refuseHost } from '../../../../src/server/http/host-header.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

describe('refuseHost (RFC 9110 §7.2)', () => {
  it.each(['localhost', 'localhost:4321', '127.0.0.1:80', '[::1]:8080', 'LOCALHOST', 'localhost:'])('serves %s', (host) => {
    expect(refuseHost([host], '1.1', LOOPBACK)).toBeUndefined();
  });

  it.each([
    '127.0.0.1:4321/api/chat/messages#',
    'localhost#top',
    'localhost?x=1',
    'user@localhost',
    'localhost:99999',
    'localhost:80:80',
    'local host',
    '[::1',
    'localhost:4x',
    '',
  ])('refuses %j with 400', (host) => {
    expect(refuseHost([host], '1.1', LOOPBACK)?.status).toBe(400);
  });

  it('refuses two Host fields, and a missing one in HTTP/1.1 (RFC 9112 §3.2)', () => {
    expect(refuseHost(['localhost', 'localhost'], '1.1', LOOPBACK)?.reason).toContain('more than one');
    expect(refuseHost(undefined, '1.1', LOOPBACK)?.reason).toContain('missing');
    expect(refuseHost(undefined, '1.0', LOOPBACK)).toBeUndefined();
  });

  it('answers a host name it does not serve with 421 (DNS rebinding)', () => {
    expect(refuseHost(['evil.example:4321'], '1.1', LOOPBACK)).toEqual({ status: 421, reason: expect.stringContaining('evil.example') });
    expect(refuseHost(['evil.example'], '1.1', null)).toBeUndefined();
  });
});
