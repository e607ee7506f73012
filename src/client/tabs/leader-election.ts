/**
 * One tab of the browser leads: it holds the Web Lock `name` (`navigator.locks`, which the
 * browser releases when the tab closes or crashes, and which the next waiting tab then gets).
 * A tab that is being frozen gives the lock up (`freeze`) and queues again when resumed, so a
 * frozen leader never keeps the others waiting. Without Web Locks (plain HTTP on a LAN address
 * is not a secure context) every tab leads itself: it works, with one connection per tab.
 */
export interface LeaderElection {
  /** Whether this tab leads right now. */
  readonly leading: boolean;
  /** Whether tabs really share a leader (Web Locks present). */
  readonly shared: boolean;
  /** Gives up the lead (if held) and stops competing. */
  close(): void;
}

export interface LeaderElectionOptions {
  name: string;
  onLead: () => void;
  onLoseLead: () => void;
  locks?: LockManager | undefined;
  /** Where `freeze`/`resume` fire (the document). */
  doc?: EventTarget;
}

export function electLeader({ name, onLead, onLoseLead, locks = globalThis.navigator?.locks, doc = globalThis.document }: LeaderElectionOptions): LeaderElection {
  let leading = false;
  let closed = false;
  let release: (() => void) | undefined;
  let queued: AbortController | undefined;

  const compete = () => {
    if (closed || queued || leading || !locks) return;
    const abort = new AbortController();
    queued = abort;
    locks
      .request(name, { signal: abort.signal }, () => {
        queued = undefined;
        if (closed) return;
        leading = true;
        onLead();
        return new Promise<void>((resolve) => (release = resolve));
      })
      .catch(() => {
        queued = undefined; // aborted while waiting (a freeze, a close): deliberate
      });
  };
  const resign = () => {
    queued?.abort();
    queued = undefined;
    if (!leading) return;
    leading = false;
    release?.();
    release = undefined;
    onLoseLead();
  };
  const onFreeze = () => resign();
  const onResume = () => compete();

  if (locks) {
    doc?.addEventListener('freeze', onFreeze);
    doc?.addEventListener('resume', onResume);
    compete();
  } else {
    leading = true;
    queueMicrotask(onLead);
  }
  return {
    get leading() {
      return leading;
    },
    shared: locks !== undefined,
    close() {
      resign();
      closed = true;
      doc?.removeEventListener('freeze', onFreeze);
      doc?.removeEventListener('resume', onResume);
    },
  };
}
