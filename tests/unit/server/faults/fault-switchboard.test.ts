import { describe, expect, it } from 'vitest';
import { createFaultSwitchboard, FAULT_TTL_MS, MAX_ARMED_FAULTS } from '../../../../src/server/faults/fault-switchboard.ts';

const pollFrom = (tab?: string) =>
  new Request('http://site.test/api/chat/messages?after=0', { headers: tab ? { 'X-Comet-Tab': tab } : {} });

describe('createFaultSwitchboard', () => {
  it("affects only the arming tab's next poll, once", () => {
    const faults = createFaultSwitchboard();
    faults.arm('tabaaaaaaa', 'fail-next-poll');
    expect(faults.take(pollFrom('tabbbbbbbb'))).toBeUndefined();
    expect(faults.take(pollFrom())).toBeUndefined();
    expect(faults.take(pollFrom('tabaaaaaaa'))).toBe('fail-next-poll');
    expect(faults.take(pollFrom('tabaaaaaaa'))).toBeUndefined();
  });

  it('forgets a fault nobody came to take', () => {
    let now = 0;
    const faults = createFaultSwitchboard({ now: () => now });
    faults.arm('tabaaaaaaa', 'fail-next-poll');
    now = FAULT_TTL_MS + 1;
    expect(faults.take(pollFrom('tabaaaaaaa'))).toBeUndefined();
  });

  it('holds a bounded number of armed faults', () => {
    const faults = createFaultSwitchboard();
    for (let i = 0; i < MAX_ARMED_FAULTS + 50; i++) faults.arm(`tab${String(i).padStart(8, '0')}`, 'fail-next-poll');
    expect(faults.armed).toBe(MAX_ARMED_FAULTS);
    expect(faults.take(pollFrom('tab00000000'))).toBeUndefined();
  });
});
