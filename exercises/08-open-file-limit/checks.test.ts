// Checks for the open-file limit. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows. Counts are compared with the server's
// own module, so they follow it when new kinds of held request are added.
import { describe, expect, it } from 'vitest';
import { loadImplementation, loadReference } from '../tooling/implementation.ts';

type Module = typeof import('../../src/server/limits/open-file-limit.ts');
const referenceUrl = new URL('../../src/server/limits/open-file-limit.ts', import.meta.url);
const yours = await loadImplementation<Module>(referenceUrl);
const reference = await loadReference<Module>(referenceUrl);

const limits = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n');

/** Every kind of held request the server counts, each set to `count`. */
function held(count: number): Parameters<Module['openFilesNeeded']>[0] {
  return { chatWaiters: count, sseStreams: count, clockStreams: count, naiveWaiters: count } as Parameters<Module['openFilesNeeded']>[0];
}

describe('the open-file limit', () => {
  it('Read soft and hard limits from the "Max open files" line', () => {
    expect(yours.parseOpenFileLimit(limits('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
  });

  it('Read "unlimited" as null, and a text without the line as undefined', () => {
    expect(yours.parseOpenFileLimit(limits('unlimited', 'unlimited'))).toEqual({ soft: null, hard: null });
    expect(yours.parseOpenFileLimit('Max cpu time unlimited unlimited seconds')).toBeUndefined();
  });

  it('Count one open file per held request of every kind, plus the headroom', () => {
    for (const count of [0, 1, 1_000]) {
      expect(yours.openFilesNeeded(held(count)), `${count} of each kind`).toBe(reference.openFilesNeeded(held(count)));
    }
    expect(yours.openFilesNeeded({ ...held(0), chatWaiters: 7 })).toBe(reference.OPEN_FILE_HEADROOM + 7);
  });

  it('Stay quiet when the limit is high enough, unlimited or unknown', () => {
    const needed = reference.openFilesNeeded(held(100));
    expect(yours.openFileLimitWarning({ soft: needed, hard: needed }, held(100))).toBeUndefined();
    expect(yours.openFileLimitWarning({ soft: null, hard: null }, held(100))).toBeUndefined();
    expect(yours.openFileLimitWarning(undefined, held(100))).toBeUndefined();
  });

  it('Warn with the limit, the count and `ulimit -n` when the hard limit allows raising it', () => {
    const needed = reference.openFilesNeeded(held(1_000));
    const warning = yours.openFileLimitWarning({ soft: 1024, hard: 524288 }, held(1_000)) ?? '';
    expect(warning).toContain('1024');
    expect(warning).toContain(String(needed));
    expect(warning).toContain(`ulimit -n ${needed}`);
    expect(warning).toContain('MAX_WAITERS');
  });

  it('Say that raising it needs root when the hard limit is too low as well', () => {
    const warning = yours.openFileLimitWarning({ soft: 1024, hard: 2048 }, held(1_000)) ?? '';
    expect(warning).toContain('2048');
    expect(warning).toMatch(/root/);
    expect(warning).not.toContain('ulimit -n');
  });
});
