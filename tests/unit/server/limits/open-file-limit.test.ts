import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OPEN_FILE_HEADROOM,
  openFileLimitWarning,
  openFilesNeeded,
  parseOpenFileLimit,
  readOpenFileLimit,
  warnIfOpenFileLimitLow,
} from '../../../../src/server/limits/open-file-limit.ts';

// The layout of Linux's /proc/PID/limits (columns padded with spaces).
const limitsFile = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n');

const held = { chatWaiters: 10_000, sseStreams: 10_000, clockStreams: 6_000, naiveWaiters: 500 };
const needed = 10_000 + 10_000 + 6_000 + 500 + OPEN_FILE_HEADROOM;

describe('parseOpenFileLimit', () => {
  it('reads the soft and hard limits of the "Max open files" line', () => {
    expect(parseOpenFileLimit(limitsFile('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
  });

  it('reads "unlimited" as null and a file without the line as undefined', () => {
    expect(parseOpenFileLimit(limitsFile('unlimited', 'unlimited'))).toEqual({ soft: null, hard: null });
    expect(parseOpenFileLimit('Limit  Soft Limit  Hard Limit  Units\n')).toBeUndefined();
  });
});

describe('openFileLimitWarning', () => {
  it('counts every kind of held request plus headroom', () => {
    expect(openFilesNeeded(held)).toBe(needed);
  });

  it('is silent when the limit covers what the server may hold, or is unknown or unlimited', () => {
    expect(openFileLimitWarning({ soft: needed, hard: needed }, held)).toBeUndefined();
    expect(openFileLimitWarning({ soft: null, hard: null }, held)).toBeUndefined();
    expect(openFileLimitWarning(undefined, held)).toBeUndefined();
  });

  it('warns below it, naming the settings and how to raise the limit', () => {
    const warning = openFileLimitWarning({ soft: 1024, hard: 1_048_576 }, held);
    expect(warning).toContain('open-file limit is 1024');
    expect(warning).toContain(`may hold ${needed} open files`);
    expect(warning).toContain('MAX_WAITERS');
    expect(warning).toContain('10000 chat event streams');
    expect(warning).toContain(`ulimit -n ${needed}`);
  });

  it('says when only root can raise it (the hard limit is too low as well)', () => {
    const warning = openFileLimitWarning({ soft: 4096, hard: 4096 }, held);
    expect(warning).toContain('hard limit is 4096 too');
    expect(warning).not.toContain('ulimit -n');
  });
});

describe('warnIfOpenFileLimitLow', () => {
  it('warns once through the given writer when the limit is too low, and not otherwise', () => {
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    warnIfOpenFileLimitLow(held, { read: () => ({ soft: 1024, hard: 1024 }), warn });
    warnIfOpenFileLimitLow(held, { read: () => ({ soft: 100_000, hard: 100_000 }), warn });
    expect(warnings).toHaveLength(1);
  });

  it('reads a limits file from disk, and skips the check where there is none', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'open-file-limit-'));
    try {
      const file = path.join(folder, 'limits');
      writeFileSync(file, limitsFile('2048', '4096'));
      expect(readOpenFileLimit(file)).toEqual({ soft: 2048, hard: 4096 });
      expect(readOpenFileLimit(path.join(folder, 'missing'))).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
