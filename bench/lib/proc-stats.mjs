// What a server process costs, read from outside it through Linux's /proc, so that
// measuring never adds requests (and CPU) to the server being measured.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every mainstream Linux build

/** Resident set size in bytes (VmRSS of /proc/PID/status). */
export function readRssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * CPU time used so far by every thread of the process (JavaScript, GC, libuv pool), in
 * nanoseconds. schedstat counts in nanoseconds; /proc/PID/stat only in 10 ms ticks, which is
 * too coarse to tell 0.1 % from 0.5 % of a core over a few seconds, so it is the fallback.
 */
export function readCpuNanoseconds(pid) {
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between listing and reading: its time is lost, a few µs at most
      }
    }
    if (total > 0) return total;
  } catch {
    // no schedstat on this kernel
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ", utime and stime are the 12th and 13th fields.
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1e9;
}

// #region cpu-window
/** Measures a process's CPU use over a window: share of one core, in percent. */
export function startCpuWindow(pid) {
  const cpuStart = readCpuNanoseconds(pid);
  const wallStart = performance.now();
  return () => {
    const cpuSeconds = (readCpuNanoseconds(pid) - cpuStart) / 1e9;
    const seconds = (performance.now() - wallStart) / 1_000;
    return { cpuSeconds, seconds, cpuSecondsPerSecond: cpuSeconds / seconds, cpuPercent: (cpuSeconds / seconds) * 100 };
  };
}
// #endregion cpu-window

/** The open-file limit a process runs under: { soft, hard } (null means unlimited). */
export function readOpenFileLimit(pid = 'self') {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    if (!match) return undefined;
    const value = (raw) => (raw === 'unlimited' ? null : Number(raw));
    return { soft: value(match[1]), hard: value(match[2]) };
  } catch {
    return undefined;
  }
}
