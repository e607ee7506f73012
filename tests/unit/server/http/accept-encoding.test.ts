import { describe, expect, it } from 'vitest';
import { acceptedCodings } from '../../../../scripts/static-files.ts';

describe('acceptedCodings (RFC 9110 §12.5.3)', () => {
  it.each([
    ['br, gzip', ['br', 'gzip']],
    ['gzip, deflate', ['gzip']],
    ['br;q=0, gzip;q=0.5', ['gzip']],
    ['*', ['br', 'gzip']],
    ['*;q=0, gzip', ['gzip']],
    ['identity', []],
    ['', []],
    ['GZIP;Q=1', ['gzip']],
    ['br;q=abc', []],
  ])('%j accepts %j', (header, expected) => {
    const accepts = acceptedCodings(header);
    expect(['br', 'gzip'].filter(accepts)).toEqual(expected);
  });

  it('accepts nothing when the header is absent', () => {
    expect(acceptedCodings(undefined)('gzip')).toBe(false);
  });
});
