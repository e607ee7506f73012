import { describe, expect, it } from 'vitest';
import { findMarkup, HOSTILE_MESSAGE } from '../../../../src/client/hardening/hostile-markup.ts';

describe('findMarkup (hardening lesson)', () => {
  it('finds the image whose error handler runs code, and the harmless bold text', () => {
    expect(findMarkup(HOSTILE_MESSAGE)).toEqual([
      { element: '<img>', detail: `onerror="alert('This ran in your page')": runs code`, runsCode: true },
      { element: '<b>', detail: 'markup: changes how the page looks', runsCode: false },
    ]);
  });

  it('recognises scripts and javascript: addresses, whatever the quoting or case', () => {
    const found = findMarkup(`<SCRIPT>x()</script><a href=javascript:x()>a</a><svg OnLoad='x()'>`);
    expect(found.map((finding) => [finding.element, finding.runsCode])).toEqual([
      ['<script>', true],
      ['<a>', true],
      ['<svg>', true],
    ]);
  });

  it('finds nothing in plain text', () => {
    expect(findMarkup('2 < 3 and 5 > 4')).toEqual([]);
  });
});
