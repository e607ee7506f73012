import { describe, expect, it } from 'vitest';
import { createClientFaultLog } from '../../../../src/server/http/client-fault-log.ts';

describe('client fault log', () => {
  it('writes at most one short line per kind per interval, then reports how many it kept quiet', () => {
    let now = 0;
    const lines: string[] = [];
    const log = createClientFaultLog({ intervalMs: 60_000, now: () => now, write: (line) => lines.push(line) });
    for (let i = 0; i < 1_000; i++) log.note('connection reset by the client');
    log.note('400 the request is not valid HTTP');
    expect(lines).toEqual(['Client fault: connection reset by the client', 'Client fault: 400 the request is not valid HTTP']);
    now = 60_000;
    log.note('connection reset by the client');
    expect(lines.at(-1)).toBe('Client fault: connection reset by the client (and 999 more since the last report)');
    expect(lines.join('\n').length).toBeLessThan(300);
  });

  it('remembers a bounded number of kinds', () => {
    const lines: string[] = [];
    const log = createClientFaultLog({ maxKinds: 2, now: () => 0, write: (line) => lines.push(line) });
    for (const kind of ['a', 'b', 'c', 'a']) log.note(kind);
    expect(lines).toHaveLength(4); // 'a' was forgotten to make room for 'c', so it is reported again
  });
});
