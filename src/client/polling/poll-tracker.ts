/**
 * The polling widget's bookkeeping, free of the DOM: what each answer brought, and for every
 * change the page noticed, how late it noticed it.
 */
export interface CounterReading {
  value: number;
  /** When the server changed the value (server clock, ms). */
  changedAt: number;
  /** When the server made this answer (server clock, ms). */
  serverTime: number;
}

export interface ChangeSeen {
  value: number;
  /** How long the change sat on the server before this page saw it. */
  stalenessMs: number;
  /** Changes that came and went between two polls: the page never saw them at all. */
  missed: number;
}

export type PollOutcome = { kind: 'first' } | { kind: 'nothing-new' } | { kind: 'change'; change: ChangeSeen };

export class PollTracker {
  requests = 0;
  nothingNew = 0;
  missed = 0;
  readonly changes: ChangeSeen[] = [];
  #lastValue: number | undefined;

  /** `sentAt` and `receivedAt` are the page's own clock (ms), around one request. */
  record(reading: CounterReading, sentAt: number, receivedAt: number): PollOutcome {
    this.requests += 1;
    const previous = this.#lastValue;
    this.#lastValue = reading.value;
    // A first answer, or a counter that went back (the server restarted), is only a baseline.
    if (previous === undefined || reading.value < previous) return { kind: 'first' };
    if (reading.value === previous) {
      this.nothingNew += 1;
      return { kind: 'nothing-new' };
    }
    // #region staleness
    // Measured on the server's clock, so a wrong clock on this computer cannot skew it:
    // the answer was made at serverTime and took about half the round trip to get here.
    const seenAtOnServerClock = reading.serverTime + (receivedAt - sentAt) / 2;
    const change: ChangeSeen = {
      value: reading.value,
      stalenessMs: Math.max(0, Math.round(seenAtOnServerClock - reading.changedAt)),
      missed: reading.value - previous - 1,
    };
    // #endregion staleness
    this.missed += change.missed;
    this.changes.push(change);
    return { kind: 'change', change };
  }

  /** A failed request still cost a round trip. */
  recordFailure(): void {
    this.requests += 1;
  }

  get averageStalenessMs(): number | undefined {
    if (this.changes.length === 0) return undefined;
    return this.changes.reduce((sum, change) => sum + change.stalenessMs, 0) / this.changes.length;
  }

  get worstStalenessMs(): number | undefined {
    return this.changes.length ? Math.max(...this.changes.map((change) => change.stalenessMs)) : undefined;
  }
}
