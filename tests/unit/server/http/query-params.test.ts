import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../src/server/http/http-error.ts';
import { parseInteger, readQuery } from '../../../../src/server/http/query-params.ts';

const query = (search: string) => new URL(`http://example.test/x${search}`);

describe('readQuery', () => {
  it('accepts the allowed parameters', () => {
    expect(readQuery(query('?a=1&b=2'), ['a', 'b'])).toEqual(new Map([['a', '1'], ['b', '2']]));
  });

  it('rejects unknown and repeated parameters with a 400', () => {
    for (const search of ['?c=1', '?a=1&a=2']) {
      const error = (() => {
        try {
          readQuery(query(search), ['a', 'b']);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(400);
    }
  });
});

describe('parseInteger', () => {
  it('parses plain decimal numbers in range', () => {
    expect(parseInteger('n', '250', { min: 1, max: 1000 })).toBe(250);
  });

  it.each(['', '1e3', '0x10', ' 5', '5.5', '99999999999999999', '1001', '0'])('rejects %j', (raw) => {
    expect(() => parseInteger('n', raw, { min: 1, max: 1000 })).toThrow(HttpError);
  });
});
