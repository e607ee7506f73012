import { describe, expect, it } from 'vitest';
import { displayedText, extractRegion, readSourceRegion } from '../../../src/build/source-region.ts';

const source = [
  'const before = 1;',
  '// #region outer',
  'function f() {',
  '  // #region inner',
  '  return 1; // [!code highlight]',
  '  // #endregion inner',
  '}',
  '// #endregion outer',
].join('\n');

describe('extractRegion', () => {
  it('returns only the lines between the markers, without any marker line', () => {
    expect(extractRegion(source, 'outer')).toBe('function f() {\n  return 1; // [!code highlight]\n}');
  });

  it('removes the common indentation of a nested region', () => {
    expect(extractRegion(source, 'inner')).toBe('return 1; // [!code highlight]');
  });

  it('names the known regions when the requested one is missing', () => {
    expect(() => extractRegion(source, 'nope', 'x.ts')).toThrow(/No region "nope" in x\.ts.*outer, inner/);
  });

  it('fails when a region is never closed', () => {
    expect(() => extractRegion('// #region open\nx', 'open')).toThrow(/no "\/\/ #endregion open"/);
  });
});

describe('readSourceRegion', () => {
  it('fails clearly for a file that does not exist', () => {
    expect(() => readSourceRegion('src/server/missing.ts', 'any')).toThrow(/Cannot read source file "src\/server\/missing\.ts"/);
  });

  it('reads a real region from the project', () => {
    expect(readSourceRegion('src/server/clock/script-payload.ts', 'serialize')).toContain('export function serializeForScript');
  });
});

describe('displayedText', () => {
  it('drops highlight notation comments, as the code panel does', () => {
    expect(displayedText('a(); // [!code highlight]\nb();')).toBe('a();\nb();');
  });
});
