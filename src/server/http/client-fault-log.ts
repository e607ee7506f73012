/**
 * What clients cause (a connection reset mid-request, a request that could not be parsed, a
 * client that left before its address was read) is normal on the open internet: never a
 * stack trace, at most one short line per kind of fault per interval, with a count of the
 * ones kept quiet since the last line. A visitor cannot fill the log.
 */
export interface ClientFaultLog {
  /** Counts a fault of kind `kind` (a short phrase, e.g. "request reset by the client") and maybe writes one line. */
  note(kind: string): void;
}

export interface ClientFaultLogOptions {
  /** At most one line per kind within this many milliseconds; default 60 s. */
  intervalMs?: number;
  now?: () => number;
  write?: (line: string) => void;
  /** Kinds remembered at once; a flood of distinct kinds cannot grow memory. */
  maxKinds?: number;
}

export function createClientFaultLog({
  intervalMs = 60_000,
  now = Date.now,
  write = (line) => console.warn(line),
  maxKinds = 64,
}: ClientFaultLogOptions = {}): ClientFaultLog {
  const kinds = new Map<string, { loggedAt: number; quiet: number }>();
  return {
    note(kind) {
      const at = now();
      const entry = kinds.get(kind);
      if (entry && at - entry.loggedAt < intervalMs) {
        entry.quiet += 1;
        return;
      }
      const quiet = entry?.quiet ?? 0;
      if (!entry && kinds.size >= maxKinds) kinds.delete(kinds.keys().next().value!);
      kinds.set(kind, { loggedAt: at, quiet: 0 });
      write(`Client fault: ${kind}${quiet ? ` (and ${quiet} more since the last report)` : ''}`);
    },
  };
}
