import { readFileSync } from 'node:fs';

/**
 * Every request the server holds is an open socket, and every socket is a file descriptor.
 * A server allowed to hold 10,000 waiters under an open-file limit of 1,024 fails with
 * EMFILE long before its own limits apply, so it says so once, at start.
 */

/** Descriptors besides the held requests: the listening socket, stdio, log files, static files, keep-alive sockets between polls. */
export const OPEN_FILE_HEADROOM = 256;

export interface OpenFileLimit {
  /** The limit that applies (Node raises it to the hard limit at start); `null` means unlimited. */
  soft: number | null;
  /** The most an unprivileged process may raise it to; `null` means unlimited. */
  hard: number | null;
}

/** How many requests of each kind the configuration lets the server hold at once. */
export interface HeldRequestLimits {
  chatWaiters: number;
  /** Chat event streams: a quota of their own, as large as the long polls' (MAX_WAITERS). */
  sseStreams: number;
  clockStreams: number;
  naiveWaiters: number;
}

// #region open-file-limit
/** Reads the "Max open files" line of a Linux `/proc/PID/limits` file. */
export function parseOpenFileLimit(limitsText: string): OpenFileLimit | undefined {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  if (!match) return undefined;
  const value = (raw: string) => (raw === 'unlimited' ? null : Number(raw));
  return { soft: value(match[1]!), hard: value(match[2]!) };
}

export function openFilesNeeded({ chatWaiters, sseStreams, clockStreams, naiveWaiters }: HeldRequestLimits): number {
  return chatWaiters + sseStreams + clockStreams + naiveWaiters + OPEN_FILE_HEADROOM;
}

/** The warning to print, or undefined when the limit is high enough (or unknown). */
export function openFileLimitWarning(limit: OpenFileLimit | undefined, held: HeldRequestLimits): string | undefined {
  const needed = openFilesNeeded(held);
  if (!limit || limit.soft === null || limit.soft >= needed) return undefined;
  const remedy =
    limit.hard === null || limit.hard >= needed
      ? `Raise it with \`ulimit -n ${needed}\` in the shell that starts the server (or LimitNOFILE= in a systemd unit), or lower those settings.`
      : `The hard limit is ${limit.hard} too, so raising it needs root (LimitNOFILE= in a systemd unit, or /etc/security/limits.conf); otherwise lower those settings.`;
  return (
    `Warning: the open-file limit is ${limit.soft}, but this server may hold ${needed} open files: ` +
    `${held.chatWaiters} chat waiters (MAX_WAITERS), ${held.sseStreams} chat event streams (MAX_SSE_STREAMS), ${held.clockStreams} clock frames (MAX_CLOCK_STREAMS), ` +
    `${held.naiveWaiters} naive waiters (MAX_NAIVE_WAITERS) and ${OPEN_FILE_HEADROOM} for everything else. ` +
    `Past the limit, new connections fail with EMFILE. ${remedy}`
  );
}
// #endregion open-file-limit

/** This process's limit on Linux; undefined elsewhere (no /proc), where the check is skipped. */
export function readOpenFileLimit(limitsFile = '/proc/self/limits'): OpenFileLimit | undefined {
  try {
    return parseOpenFileLimit(readFileSync(limitsFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Prints the warning once, at start, if the configuration needs more open files than allowed. */
export function warnIfOpenFileLimitLow(
  held: HeldRequestLimits,
  { read = readOpenFileLimit, warn = console.warn }: { read?: () => OpenFileLimit | undefined; warn?: (message: string) => void } = {},
): void {
  const warning = openFileLimitWarning(read(), held);
  if (warning) warn(warning);
}
