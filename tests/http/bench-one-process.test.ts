import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, stopBench } from '../support/bench-process.ts';

// Smoke test of `npm run bench -- --quick --only one-process`: the site, the bare node:http
// reference and Socket.IO (polling) each hold polls, fan a message out and answer simple requests,
// and the run writes a well-formed result. Its figures depend on the machine and are never checked.

const outDir = mkdtempSync(path.join(tmpdir(), 'comet-bench-one-process-'));
afterAll(() => {
  stopBench();
  rmSync(outDir, { recursive: true, force: true });
});

const isFiniteNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

describe('npm run bench -- --quick --only one-process', () => {
  it('measures the five servers side by side and evaluates both targets', { timeout: 150_000 }, async () => {
    const { code, output } = await runBench(['--quick', '--only', 'one-process', '--out', outDir]);
    expect(code, output).toBe(0);

    const files = readdirSync(outDir);
    const json = files.find((name) => /^quick-one-process-\d{4}-\d{2}-\d{2}\.json$/.test(name));
    expect(json, `files written: ${files.join(', ')}`).toBeDefined();
    expect(files).not.toContain('one-process.json'); // only a full run feeds the lesson
    const result = JSON.parse(readFileSync(path.join(outDir, json!), 'utf8'));
    const markdown = readFileSync(path.join(outDir, json!.replace(/\.json$/, '.md')), 'utf8');
    expect(markdown).toContain('## One process');

    expect(result.errors).toEqual([]);
    const { rows, settings } = result.oneProcess;
    expect(rows.map((row: { target: string }) => row.target)).toEqual(['site', 'site-default-flags', 'reference', 'socket-io', 'socket-io-tuned']);
    for (const row of rows) {
      expect(row.held, row.target).toBeGreaterThanOrEqual(settings.heldPolls);
      expect(row.fanOut.received, row.target).toBe(row.fanOut.expected); // every held poll got every message
      for (const value of [row.rssPerHeldPollBytes, row.cpuMsPerAcceptedPoll, row.fanOut.completeMs, row.fanOut.latencyMs.p99, row.simpleRequests.perSecond]) {
        expect(isFiniteNumber(value), `${row.target}: ${JSON.stringify(row)}`).toBe(true);
      }
      expect(row.simpleRequests.answered, row.target).toBeGreaterThan(0);
    }

    const targets = Object.fromEntries(result.targets.map((target: { id: string; measured: unknown }) => [target.id, target.measured]));
    expect(isFiniteNumber(targets['one-process-rss-vs-socket-io'])).toBe(true);
    expect(isFiniteNumber(targets['one-process-fan-out-ratio'])).toBe(true);
  });
});
