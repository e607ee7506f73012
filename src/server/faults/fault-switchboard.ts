/**
 * Faults a learner can ask for, scoped to one browser tab: the tab sends its random id with
 * every poll (the `X-Comet-Tab` header), and a fault armed for that id affects that tab's
 * next poll only. No other visitor can be touched: they do not know the id.
 */
export const TAB_HEADER = 'x-comet-tab';
export const TAB_ID = /^[a-z0-9]{8,32}$/;
export const FAULT_TTL_MS = 60_000;
export const MAX_ARMED_FAULTS = 10_000;

export type FaultKind = 'fail-next-poll';

export interface FaultSwitchboard {
  arm(tab: string, kind: FaultKind): void;
  /** Takes (and so disarms) the fault armed for the request's tab, if any. */
  take(request: Request): FaultKind | undefined;
  readonly armed: number;
}

export function createFaultSwitchboard({ now = Date.now } = {}): FaultSwitchboard {
  const faults = new Map<string, { kind: FaultKind; expiresAt: number }>();
  return {
    arm(tab, kind) {
      faults.delete(tab);
      faults.set(tab, { kind, expiresAt: now() + FAULT_TTL_MS });
      // Oldest first: past the bound, the longest-armed fault is dropped.
      if (faults.size > MAX_ARMED_FAULTS) faults.delete(faults.keys().next().value!);
    },
    take(request) {
      const tab = request.headers.get(TAB_HEADER);
      if (!tab || faults.size === 0) return undefined;
      const fault = faults.get(tab);
      if (!fault) return undefined;
      faults.delete(tab);
      return fault.expiresAt > now() ? fault.kind : undefined;
    },
    get armed() {
      return faults.size;
    },
  };
}
