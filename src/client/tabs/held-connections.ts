/**
 * How many held requests (long polls, forever frames, event streams) this browser has open to
 * the site right now. Each tab counts its own and tells the others over a `BroadcastChannel`;
 * every tab sums the latest count of each. Over HTTP/1.1 each held request occupies one of the
 * browser's 6 connections to the host (RFC 6202 §5.1), so this is the figure that matters.
 */
import { randomId } from '../room-in-url.ts';
import { openTabChannel, type TabChannel } from './tab-channel.ts';

/** Connections a browser opens to one host over HTTP/1.1 (RFC 6202 §5.1; Chromium's and Firefox's limit). */
export const BROWSER_CONNECTIONS_PER_HOST = 6;
/** Held requests this course allows itself per browser, however many tabs: the rest stay free for pages and posts. */
export const HELD_CONNECTIONS_TARGET = 3;

/** What holds a connection. */
export type HeldKind = 'chat-poll' | 'clock-frame' | 'event-stream';

/** A tab re-announces its counts this often; counts not refreshed for 3 periods are dropped (a frozen or crashed tab). */
export const HELD_REPORT_INTERVAL_MS = 5_000;

interface HeldReport {
  from: string;
  counts: Partial<Record<HeldKind, number>> | null;
}

export interface BrowserHeld {
  /** Sum over every tab heard from. */
  total: number;
  byKind: Record<HeldKind, number>;
  tabs: number;
}

export class HeldConnections extends EventTarget {
  readonly tab: string;
  #mine: Record<HeldKind, number> = { 'chat-poll': 0, 'clock-frame': 0, 'event-stream': 0 };
  #others = new Map<string, { counts: Partial<Record<HeldKind, number>>; at: number }>();
  #channel: TabChannel<HeldReport>;
  #now: () => number;

  constructor({ tab = randomId(8), channel = openTabChannel<HeldReport>('comet-lessons.held'), now = Date.now } = {}) {
    super();
    this.tab = tab;
    this.#channel = channel;
    this.#now = now;
    channel.listen(({ from, counts }) => {
      if (from === this.tab) return;
      if (counts === null) this.#others.delete(from);
      else {
        const known = this.#others.has(from);
        this.#others.set(from, { counts, at: this.#now() });
        if (!known) this.#report(); // a tab that just appeared learns about this one at once
      }
      this.#changed();
    });
  }

  /** One more (+1) or one fewer (−1) held request of `kind` in this tab. */
  add(kind: HeldKind, delta: 1 | -1): void {
    this.#mine[kind] = Math.max(0, this.#mine[kind] + delta);
    this.#report();
    this.#changed();
  }

  /** Re-announces this tab's counts and forgets tabs that went quiet; call every {@link HELD_REPORT_INTERVAL_MS}. */
  tick(): void {
    const expiredBefore = this.#now() - 3 * HELD_REPORT_INTERVAL_MS;
    for (const [tab, { at }] of this.#others) if (at < expiredBefore) this.#others.delete(tab);
    this.#report();
    this.#changed();
  }

  /** This tab is going away: the others forget it. */
  leave(): void {
    this.#channel.post({ from: this.tab, counts: null });
  }

  get mine(): Readonly<Record<HeldKind, number>> {
    return this.#mine;
  }

  get browser(): BrowserHeld {
    const byKind = { ...this.#mine };
    for (const { counts } of this.#others.values()) {
      for (const kind of Object.keys(byKind) as HeldKind[]) byKind[kind] += counts[kind] ?? 0;
    }
    return { total: byKind['chat-poll'] + byKind['clock-frame'] + byKind['event-stream'], byKind, tabs: this.#others.size + 1 };
  }

  #report(): void {
    this.#channel.post({ from: this.tab, counts: { ...this.#mine } });
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

let instance: HeldConnections | undefined;

/** This tab's counter, created on first use (with its periodic report and its goodbye on `pagehide`). */
export function heldConnections(): HeldConnections {
  if (instance) return instance;
  const held = new HeldConnections();
  instance = held;
  setInterval(() => held.tick(), HELD_REPORT_INTERVAL_MS);
  addEventListener('pagehide', () => held.leave());
  return held;
}
