import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatNumber } from '../bench/chart-scale.ts';
import { RESULTS_DIR, type LatencySummary } from '../bench/latest-run.ts';

/**
 * The transport comparison of `npm run bench` (its `transports` part), read at build time, so
 * that every figure of the WebSocket lesson comes from a committed result file. The newest file
 * of `bench/results/` that holds a full (not quick) transports measurement wins: a
 * `transports-YYYY-MM-DD.json` of `npm run bench -- --only transports`, or a full run's file.
 */
export interface TransportRow {
  transport: 'long-poll' | 'sse' | 'websocket';
  clients: number;
  connected: number;
  messages: number;
  spacingMs: number;
  expected: number;
  delivered: number;
  failures: number;
  /** Bytes on the wire per delivered message, both directions, headers and framing included. */
  wireBytesPerDelivery: number;
  latencyMs: LatencySummary;
  rssPerIdleConnectionBytes: number;
  cpuMicrosecondsPerDelivery: number;
}

export interface TransportRun {
  file: string;
  startedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; nodeVersion: string; loadAverage: { atStart: number; atEnd?: number } };
  transports: TransportRow[];
}

const RESULT_FILE = /^(transports-)?\d{4}-\d{2}-\d{2}\.json$/;
const dateOf = (name: string) => name.replace(/^transports-/, '');

export function readLatestTransportRun(dir = RESULTS_DIR, root = process.cwd()): TransportRun {
  const names = readdirSync(path.resolve(root, dir))
    .filter((name) => RESULT_FILE.test(name))
    .sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || a.localeCompare(b));
  for (const name of names.reverse()) {
    const run = JSON.parse(readFileSync(path.resolve(root, dir, name), 'utf8'));
    if (run.mode === 'full' && Array.isArray(run.transports) && run.transports.length === 3) return { ...run, file: `${dir}/${name}` };
  }
  throw new Error(`No full transports measurement in ${dir}/: run "npm run build && npm run bench -- --only transports" and commit the result.`);
}

const LABELS: Record<TransportRow['transport'], string> = { 'long-poll': 'Long poll', sse: 'Event stream (SSE)', websocket: 'WebSocket' };

/** One row of the lesson's table: every cell a figure as printed. */
export interface TableRow {
  transport: string;
  delivered: string;
  bytes: string;
  p50: string;
  p99: string;
  memory: string;
  cpu: string;
}

function tableRow(r: TransportRow): TableRow {
  return {
    transport: LABELS[r.transport],
    delivered: `${formatNumber(r.delivered, 0)} of ${formatNumber(r.expected, 0)}`,
    bytes: `${formatNumber(r.wireBytesPerDelivery, 0)} B`,
    p50: `${formatNumber(r.latencyMs.p50)} ms`,
    p99: `${formatNumber(r.latencyMs.p99)} ms`,
    memory: `${formatNumber(r.rssPerIdleConnectionBytes / 1024)} KiB`,
    cpu: `${formatNumber(r.cpuMicrosecondsPerDelivery)} µs`,
  };
}

/** The table rows, the charts' props and the sentence about the machine, for the lesson. */
export function transportFigures(run: TransportRun = readLatestTransportRun()) {
  const rows = run.transports;
  const row = (name: TransportRow['transport']) => rows.find((r) => r.transport === name)!;
  const groups = (value: (r: TransportRow) => number) => rows.map((r) => ({ label: LABELS[r.transport], values: [value(r)] }));
  const clients = formatNumber(row('websocket').clients, 0);
  const table = rows.map(tableRow);
  return {
    file: run.file,
    clients,
    messages: row('websocket').messages,
    spacingMs: row('websocket').spacingMs,
    machine: `${run.machine.cpus} × ${run.machine.cpuModel}, Node ${run.machine.nodeVersion}, load average ${run.machine.loadAverage.atStart} at the start` +
      `${run.machine.loadAverage.atEnd === undefined ? '' : ` and ${run.machine.loadAverage.atEnd} at the end`} (${run.startedAt.slice(0, 10)})`,
    busy: run.machine.loadAverage.atStart > run.machine.cpus * 0.75,
    table,
    /** The table's cells by transport, for the prose. */
    byTransport: Object.fromEntries(rows.map((r, index) => [r.transport, table[index]!])) as Record<TransportRow['transport'], TableRow>,
    ratios: {
      longPollToSocketBytes: formatNumber(row('long-poll').wireBytesPerDelivery / row('websocket').wireBytesPerDelivery),
      sseToSocketBytes: formatNumber(row('sse').wireBytesPerDelivery / row('websocket').wireBytesPerDelivery, 2),
    },
    charts: {
      bytes: {
        title: `Bytes on the wire per delivered message, ${clients} clients`,
        caption: 'Both directions, counted at the clients’ TCP sockets: HTTP headers, chunk and frame headers included.',
        series: [{ name: 'bytes per message', tone: 'accent' as const }],
        groups: groups((r) => r.wireBytesPerDelivery),
        unit: 'B',
        digits: 0,
      },
      latency: {
        title: `Delivery latency, p50 and p99, ${clients} clients`,
        caption: 'From the moment the post is sent to the moment each client has parsed the message.',
        series: [{ name: 'p50', tone: 'muted' as const }, { name: 'p99', tone: 'accent' as const }],
        groups: rows.map((r) => ({ label: LABELS[r.transport], values: [r.latencyMs.p50, r.latencyMs.p99] })),
        unit: 'ms',
      },
      cpu: {
        title: 'Server CPU per delivered message',
        caption: 'CPU time of the server process during the delivery window, divided by the messages delivered.',
        series: [{ name: 'µs of CPU', tone: 'accent' as const }],
        groups: groups((r) => r.cpuMicrosecondsPerDelivery),
        unit: 'µs',
      },
    },
  };
}
