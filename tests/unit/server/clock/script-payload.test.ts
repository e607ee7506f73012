import { describe, expect, it } from 'vitest';
import { serializeForScript } from '../../../../src/server/clock/script-payload.ts';

describe('serializeForScript', () => {
  it('cannot close the script element or open a comment, whatever the data', () => {
    const hostile = { text: '</script><script>alert(1)</script><!-- & \u2028\u2029 -->' };
    const serialized = serializeForScript(hostile);
    expect(serialized).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(serialized)).toEqual(hostile);
  });

  it('leaves ordinary JSON as it is', () => {
    expect(serializeForScript({ type: 'tick', serverTime: 1_700_000_000_000 })).toBe(
      '{"type":"tick","serverTime":1700000000000}',
    );
  });

  it('refuses values that JSON cannot express', () => {
    expect(() => serializeForScript(undefined)).toThrow(TypeError);
  });
});
