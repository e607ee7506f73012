import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLatestTransportRun, transportFigures, type TransportRow } from '../../../../src/build/transports/transport-figures.ts';

const latency = (p50: number, p99: number) => ({ count: 10, p50, p99, max: p99, mean: p50 });
const row = (transport: TransportRow['transport'], bytes: number): TransportRow => ({
  transport,
  clients: 1_000,
  connected: 1_000,
  messages: 20,
  spacingMs: 250,
  expected: 20_000,
  delivered: 20_000,
  failures: 0,
  wireBytesPerDelivery: bytes,
  latencyMs: latency(10, 100),
  rssPerIdleConnectionBytes: 20_480,
  cpuMicrosecondsPerDelivery: 30,
});
const run = (mode: string, transports: TransportRow[] | undefined, loadAverage = 0.2) => ({
  schema: 1,
  mode,
  startedAt: '2026-11-29T21:00:00.000Z',
  command: 'npm run bench -- --only transports',
  machine: { cpus: 2, cpuModel: 'Test CPU', nodeVersion: 'v24.21.0', loadAverage: { atStart: loadAverage, atEnd: loadAverage } },
  ...(transports && { transports }),
});

function folder(files: Record<string, unknown>) {
  const root = mkdtempSync(path.join(tmpdir(), 'transport-figures-'));
  mkdirSync(path.join(root, 'results'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(root, 'results', name), JSON.stringify(content));
  return root;
}

const three = [row('long-poll', 600), row('sse', 130), row('websocket', 150)];

describe('readLatestTransportRun', () => {
  it('takes the newest full run with all three transports, by date, whatever the file is called', () => {
    const root = folder({
      '2026-11-30.json': run('full', undefined), // a full run without transports does not count
      'transports-2026-11-29.json': run('full', three),
      'transports-2026-11-28.json': run('full', three),
      'quick-transports-2026-12-01.json': run('quick', three),
    });
    expect(readLatestTransportRun('results', root).file).toBe('results/transports-2026-11-29.json');
  });

  it('fails the build with the command to run when there is no measurement', () => {
    const root = folder({ '2026-11-24.json': run('full', undefined) });
    expect(() => readLatestTransportRun('results', root)).toThrow(/npm run bench -- --only transports/);
  });
});

describe('transportFigures', () => {
  it('prints every figure from the result rows, with ratios against the socket', () => {
    const figures = transportFigures({ ...run('full', three), file: 'f.json' } as never);
    expect(figures.table.map((r) => r.bytes)).toEqual(['600 B', '130 B', '150 B']);
    expect(figures.table[2]).toMatchObject({ transport: 'WebSocket', memory: '20 KiB', cpu: '30 µs', p99: '100 ms' });
    expect(figures.ratios).toEqual({ longPollToSocketBytes: '4', sseToSocketBytes: '0.87' });
    expect(figures.charts.bytes.groups.map((g) => g.values[0])).toEqual([600, 130, 150]);
    expect(figures.busy).toBe(false);
    expect(figures.byTransport['long-poll'].bytes).toBe('600 B');
  });

  it('says when the machine was busy during the run', () => {
    expect(transportFigures({ ...run('full', three, 6.7), file: 'f.json' } as never).busy).toBe(true);
  });
});
