// The machine a result came from: every figure is meaningless without it.
import os from 'node:os';
import { round } from './latency-summary.mjs';
import { readOpenFileLimit } from './proc-stats.mjs';

export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    platform: os.platform(),
    arch: os.arch(),
    kernel: os.release(),
    nodeVersion: process.version,
    openFileLimit: { bench: readOpenFileLimit('self') ?? null, server: null },
    /** Other work on the machine skews every figure: the 1-minute load average before and after the run. */
    loadAverage: { atStart: round(os.loadavg()[0]), atEnd: null },
  };
}

export function loadAverageNow() {
  return round(os.loadavg()[0]);
}
