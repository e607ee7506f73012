import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_CONNECTION_SLOTS } from '../../../../src/client/tabs/connection-slots.ts';
import { holdWhileOnScreen, RELEASE_AFTER_MS } from '../../../../src/client/tabs/hold-while-on-screen.ts';
import { HeldConnections } from '../../../../src/client/tabs/held-connections.ts';
import { createChannelHub } from '../../../support/fake-tabs.ts';

/** A document whose visibility the test sets (Node has no IntersectionObserver: "on screen" is assumed). */
function fakePage() {
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState, readyState: 'loading' as DocumentReadyState });
  const win = new EventTarget();
  return { doc, win, set(visibility: DocumentVisibilityState) {
    doc.visibilityState = visibility;
    doc.dispatchEvent(new Event('visibilitychange'));
  } };
}

describe('holdWhileOnScreen', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds from the load event, lets go at once when hidden or frozen, and within the release delay otherwise', async () => {
    const page = fakePage();
    const log: string[] = [];
    const settle = () => vi.advanceTimersByTimeAsync(0); // taking a slot of the budget is asynchronous
    holdWhileOnScreen({} as Element, { hold: () => log.push('hold'), release: () => log.push('release'), slots: NO_CONNECTION_SLOTS, doc: page.doc as unknown as Document, win: page.win as unknown as Window });
    await settle();
    expect(log).toEqual([]); // a frame still loading would hold the page's load event back
    page.doc.readyState = 'complete';
    page.win.dispatchEvent(new Event('load'));
    await settle();
    expect(log).toEqual(['hold']);
    page.set('hidden');
    await settle();
    expect(log).toEqual(['hold', 'release']);
    page.set('visible');
    await settle();
    expect(log).toEqual(['hold', 'release', 'hold']);
    page.doc.dispatchEvent(new Event('freeze'));
    expect(log.at(-1)).toBe('release');
    page.doc.dispatchEvent(new Event('resume'));
    await settle();
    expect(log.at(-1)).toBe('hold');
    expect(RELEASE_AFTER_MS).toBeLessThanOrEqual(2_000);
  });
});

describe('HeldConnections', () => {
  it('sums the held requests of every tab of the browser and forgets a tab that leaves', async () => {
    const hub = createChannelHub<never>();
    const a = new HeldConnections({ tab: 'a', channel: hub.open() });
    const b = new HeldConnections({ tab: 'b', channel: hub.open() });
    a.add('chat-poll', 1);
    b.add('clock-frame', 1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(a.browser).toMatchObject({ total: 2, tabs: 2, byKind: { 'chat-poll': 1, 'clock-frame': 1, 'event-stream': 0 } });
    expect(b.browser.total).toBe(2);
    b.leave();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(a.browser).toMatchObject({ total: 1, tabs: 1 });
  });
});
