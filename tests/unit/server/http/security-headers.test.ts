import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../../../src/server/http/security-headers.ts';

describe('securityHeaders', () => {
  it('forbids sniffing and framing, and keeps referrers to the origin across sites', () => {
    expect(securityHeaders('/api/stats')).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "frame-ancestors 'none'",
    });
    expect(securityHeaders(undefined)).toEqual(securityHeaders('/'));
  });

  it('lets only the site itself frame the clock frame', () => {
    expect(securityHeaders('/api/clock/frame')['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(securityHeaders('/api/clock/frame')['Content-Security-Policy']).toBeUndefined();
  });
});
