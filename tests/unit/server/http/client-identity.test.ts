import { describe, expect, it } from 'vitest';
import { clientIdentity, limitKey } from '../../../../src/server/http/client-identity.ts';

const request = (forwardedFor?: string) =>
  new Request('http://site.test/api/x', { headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {} });

describe('clientIdentity', () => {
  it('ignores X-Forwarded-For unless a proxy is trusted', () => {
    expect(clientIdentity(request('203.0.113.9'), '198.51.100.1', false)).toBe('198.51.100.1');
  });

  it('behind a trusted proxy, takes the address the proxy added (the last), not one the client wrote', () => {
    expect(clientIdentity(request('6.6.6.6, 203.0.113.9'), '127.0.0.1', true)).toBe('203.0.113.9');
  });

  it('puts every address of one IPv6 /64 under one key', () => {
    const a = clientIdentity(request(), '2001:db8:1:2:aaaa::1', false);
    const b = clientIdentity(request(), '2001:0db8:0001:0002:ffff:1:2:3', false);
    expect(a).toBe(b);
    expect(a).not.toBe(clientIdentity(request(), '2001:db8:1:3::1', false));
  });
});

describe('limitKey', () => {
  it('reads IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(limitKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it('expands shortened IPv6 forms', () => {
    expect(limitKey('::1')).toBe('0:0:0:0::/64');
    expect(limitKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });
});
