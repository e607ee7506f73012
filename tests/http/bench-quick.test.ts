import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, stopBench } from '../support/bench-process.ts';

// Smoke test of `npm run bench -- --quick`: it runs against the built site and writes a
// well-formed result. Its figures depend on the machine and are never checked here.

const outDir = mkdtempSync(path.join(tmpdir(), 'comet-bench-quick-'));
afterAll(() => {
  stopBench();
  rmSync(outDir, { recursive: true, force: true });
});

const isFiniteNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
const latencyKeys = ['count', 'p50', 'p99', 'max', 'mean'];

function expectLatency(summary: Record<string, unknown>) {
  for (const key of latencyKeys) expect(isFiniteNumber(summary[key]), `latency ${key}`).toBe(true);
}

describe('npm run bench -- --quick', () => {
  it('exits 0 and writes a well-formed result with the machine it ran on', { timeout: 150_000 }, async () => {
    const { code, output } = await runBench(['--quick', '--out', outDir]);
    expect(code, output).toBe(0);

    const files = readdirSync(outDir);
    const json = files.find((name) => /^quick-\d{4}-\d{2}-\d{2}\.json$/.test(name));
    expect(json, `files written: ${files.join(', ')}`).toBeDefined();
    expect(existsSync(path.join(outDir, json!.replace(/\.json$/, '.md')))).toBe(true);
    const result = JSON.parse(readFileSync(path.join(outDir, json!), 'utf8'));

    expect(result.mode).toBe('quick');
    expect(result.errors).toEqual([]);
    expect(result.machine.cpus).toBeGreaterThan(0);
    expect(result.machine.nodeVersion).toMatch(/^v\d+\./);
    expect(result.machine.openFileLimit).toHaveProperty('bench');
    expect(result.machine.openFileLimit).toHaveProperty('server');

    expect(result.idle.map((row: { target: string }) => row.target).sort()).toEqual(['reference', 'site']);
    for (const row of result.idle) {
      for (const key of ['waiters', 'held', 'rssBytes', 'rssPerWaiterBytes', 'idleCpuPercent']) {
        expect(isFiniteNumber(row[key]), `idle ${row.target} ${key}`).toBe(true);
      }
      expectLatency(row.latencyMs.stats);
      expectLatency(row.latencyMs.roundTrip);
    }
    expectLatency(result.idle.find((row: { target: string }) => row.target === 'site').latencyMs.lessonPage);

    expect(result.fanOut.length).toBeGreaterThanOrEqual(2);
    for (const row of result.fanOut) {
      expect(isFiniteNumber(row.completeMs), `fan-out ${row.target} completeMs`).toBe(true);
      expectLatency(row.latencyMs);
    }

    for (const backend of ['naive', 'chat', 'reference']) {
      expect(isFiniteNumber(result.naiveVsEvent[backend].cpuSecondsPerSecond), backend).toBe(true);
      expect(isFiniteNumber(result.naiveVsEvent[backend].statCallsPerSecond), backend).toBe(true);
    }
    expect(isFiniteNumber(result.naiveVsEvent.cpuRatioNaiveToChat)).toBe(true);

    expect(result.throughput).toHaveLength(2);
    for (const row of result.throughput) {
      expect(isFiniteNumber(row.acceptedPerSecond) && isFiniteNumber(row.deliveriesPerSecond)).toBe(true);
      expectLatency(row.latencyMs);
    }

    expect(isFiniteNumber(result.clock.ticksPerFrame.mean)).toBe(true);
    expectLatency(result.clock.jitterMs);
    expect(isFiniteNumber(result.clock.cpuPercent)).toBe(true);

    expect(result.transports.map((row: { transport: string }) => row.transport)).toEqual(['long-poll', 'sse', 'websocket']);
    for (const row of result.transports) {
      for (const key of ['connected', 'delivered', 'wireBytesPerDelivery', 'rssPerIdleConnectionBytes', 'cpuMicrosecondsPerDelivery']) {
        expect(isFiniteNumber(row[key]), `transports ${row.transport} ${key}`).toBe(true);
      }
      expectLatency(row.latencyMs);
    }

    expect(result.targets.map((target: { id: string }) => target.id)).toHaveLength(8);
    for (const target of result.targets) {
      expect(target.measured === null || isFiniteNumber(target.measured), target.id).toBe(true);
    }
  });
});
