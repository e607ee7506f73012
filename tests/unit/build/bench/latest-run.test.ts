import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLatestBenchRun } from '../../../../src/build/bench/latest-run.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bench-results-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const complete = { machine: {}, idle: [], fanOut: [], naiveVsEvent: {}, throughput: [], clock: {}, targets: [] };
const write = (name: string, content: object) => writeFileSync(path.join(root, name), JSON.stringify(content));

describe('readLatestBenchRun', () => {
  it('reads the newest full run and skips quick runs, whatever their date', () => {
    write('2026-01-02.json', { schema: 1, mode: 'full', startedAt: 'older', ...complete });
    write('2026-03-04.json', { schema: 1, mode: 'full', startedAt: 'newer', ...complete });
    write('quick-2026-12-31.json', { schema: 1, mode: 'quick', startedAt: 'quick', ...complete });
    write('2026-03-04.md', {});
    const run = readLatestBenchRun('.', root);
    expect(run.startedAt).toBe('newer');
    expect(run.file).toBe('2026-03-04.json');
  });

  it('fails the build with instructions when there is no full run', () => {
    write('quick-2026-12-31.json', { schema: 1, mode: 'quick', ...complete });
    expect(() => readLatestBenchRun('.', root)).toThrow(/npm run bench/);
    expect(() => readLatestBenchRun('missing-folder', root)).toThrow(/No full benchmark result/);
  });

  it('refuses a file of another schema or an incomplete run', () => {
    write('2026-01-01.json', { schema: 2, mode: 'full', ...complete });
    expect(() => readLatestBenchRun('.', root)).toThrow(/schema 2/);
    write('2026-01-02.json', { schema: 1, mode: 'full', machine: {}, idle: [] });
    expect(() => readLatestBenchRun('.', root)).toThrow(/lacks fanOut/);
  });
});
