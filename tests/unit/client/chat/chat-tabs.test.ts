import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatTabs, type RelayMessage, type RoomFeed, type RoomFeedEvents } from '../../../../src/client/chat/chat-tabs.ts';
import { LongPollClient } from '../../../../src/client/long-poll/long-poll-client.ts';
import { Backoff } from '../../../../src/client/backoff.ts';
import { createFakeChatServer } from '../../../support/fake-chat-server.ts';
import { createChannelHub, createFakeLocks } from '../../../support/fake-tabs.ts';

const settle = async () => {
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 30; i++) await Promise.resolve();
    await vi.advanceTimersByTimeAsync(0);
  }
};

/** One fake browser: tabs share a channel hub, a lock manager and the fake server. */
function createBrowser() {
  const server = createFakeChatServer();
  const hub = createChannelHub<RelayMessage>();
  const locks = createFakeLocks();
  let held = 0;
  const openTab = (doc = new EventTarget()) =>
    new ChatTabs({
      fetch: server.fetch,
      channel: hub.open(),
      locks,
      doc,
      createPoller: () => new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 1 }) }),
      onHeld: (delta) => (held += delta),
    });
  return { server, openTab, get held() { return held; } };
}

function watch(feed: RoomFeed) {
  const shown: string[] = [];
  const attempts: RoomFeedEvents['attempt'][] = [];
  feed.addEventListener('messages', (event) => {
    const { messages, reset } = (event as CustomEvent<RoomFeedEvents['messages']>).detail;
    if (reset) shown.length = 0;
    shown.push(...messages.map((message) => message.text));
  });
  feed.addEventListener('attempt', (event) => attempts.push((event as CustomEvent<RoomFeedEvents['attempt']>).detail));
  return { shown, attempts };
}

describe('ChatTabs: one poll per browser, relayed to every tab', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('three tabs in two rooms hold ONE request; every tab shows every message of its room exactly once', async () => {
    const browser = createBrowser();
    browser.server.post('x', 'x1');
    const [a, b, c] = [browser.openTab(), browser.openTab(), browser.openTab()];
    await settle();
    expect([a.leading, b.leading, c.leading]).toEqual([true, false, false]);
    const [ax, bx, cy] = [watch(a.join('x')), watch(b.join('x')), watch(c.join('y'))];
    await settle();
    browser.server.post('x', 'x2');
    browser.server.post('y', 'y1');
    await settle();
    expect(browser.server.heldCount).toBe(1);
    expect(browser.held).toBe(1);
    expect(ax.shown).toEqual(['x1', 'x2']);
    expect(bx.shown).toEqual(['x1', 'x2']);
    expect(cy.shown).toEqual(['y1']);
    expect(b.leader).toBe(a.tab);
  });

  it('when the leader closes another tab takes over from the shared cursors: nothing lost, nothing twice', async () => {
    const browser = createBrowser();
    const [a, b, c] = [browser.openTab(), browser.openTab(), browser.openTab()];
    await settle();
    const [bx, cx] = [watch(b.join('x')), watch(c.join('x'))];
    a.join('x');
    await settle();
    browser.server.post('x', 'one');
    await settle();
    a.close();
    browser.server.post('x', 'two'); // posted while no tab leads
    await settle();
    expect(b.leading).toBe(true);
    browser.server.post('x', 'three');
    await settle();
    expect(bx.shown).toEqual(['one', 'two', 'three']);
    expect(cx.shown).toEqual(['one', 'two', 'three']);
    expect(browser.server.heldCount).toBe(1);
    expect(c.leader).toBe(b.tab);
  });

  it('a tab that joins late catches up from its own cursor and then follows the relay', async () => {
    const browser = createBrowser();
    const a = browser.openTab();
    const ax = watch(a.join('x'));
    await settle();
    browser.server.post('x', 'early');
    await settle();
    const b = browser.openTab();
    await settle();
    const bx = watch(b.join('x'));
    await settle();
    browser.server.post('x', 'late');
    await settle();
    expect(ax.shown).toEqual(['early', 'late']);
    expect(bx.shown).toEqual(['early', 'late']);
  });

  it('a fault armed for one tab hits that tab only; it catches up afterwards, nothing lost', async () => {
    const browser = createBrowser();
    const [a, b] = [browser.openTab(), browser.openTab()];
    await settle();
    const ax = watch(a.join('x'));
    const feedB = b.join('x', { headers: { 'X-Comet-Tab': 'tabbbbbbb' } });
    const bx = watch(feedB);
    await settle();
    browser.server.failNextFor('tabbbbbbb');
    feedB.pollNow();
    await settle();
    expect(bx.attempts.at(-1)).toMatchObject({ outcome: 'retry-after', status: 503, local: true });
    expect(ax.attempts.some((attempt) => attempt.status === 503)).toBe(false);
    browser.server.post('x', 'during the fault');
    await settle();
    expect(ax.shown).toEqual(['during the fault']);
    expect(bx.shown).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    await settle();
    expect(bx.shown).toEqual(['during the fault']);
    browser.server.post('x', 'after');
    await settle();
    expect(ax.shown).toEqual(['during the fault', 'after']);
    expect(bx.shown).toEqual(['during the fault', 'after']);
  });

  it('a cut of one tab: it hears nothing meanwhile, then shows what it missed, once', async () => {
    const browser = createBrowser();
    const [a, b] = [browser.openTab(), browser.openTab()];
    await settle();
    const ax = watch(a.join('x'));
    const feedB = b.join('x');
    const bx = watch(feedB);
    await settle();
    feedB.cutNetwork(5_000);
    expect(feedB.networkCut).toBe(true);
    browser.server.post('x', 'm1');
    await settle();
    expect(bx.shown).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle();
    expect(feedB.networkCut).toBe(false);
    browser.server.post('x', 'm2');
    await settle();
    expect(bx.shown).toEqual(['m1', 'm2']);
    expect(ax.shown).toEqual(['m1', 'm2']);
  });

  it('a tab coming back from being frozen catches up on what it missed, once', async () => {
    const browser = createBrowser();
    const doc = new EventTarget();
    const [a, b] = [browser.openTab(), browser.openTab(doc)];
    await settle();
    const ax = watch(a.join('x'));
    const feedB = b.join('x');
    const bx = watch(feedB);
    await settle();
    browser.server.post('x', 'before');
    await settle();
    doc.dispatchEvent(new Event('freeze'));
    feedB.relayed = () => {}; // frozen: relayed answers never reach it
    browser.server.post('x', 'while frozen');
    await settle();
    expect(bx.shown).toEqual(['before']);
    delete (feedB as { relayed?: unknown }).relayed;
    doc.dispatchEvent(new Event('resume'));
    await settle();
    browser.server.post('x', 'after');
    await settle();
    expect(bx.shown).toEqual(['before', 'while frozen', 'after']);
    expect(ax.shown).toEqual(['before', 'while frozen', 'after']);
  });

  it('without Web Locks each tab polls alone, and it still works', async () => {
    const server = createFakeChatServer();
    const hub = createChannelHub<RelayMessage>();
    const tab = new ChatTabs({ fetch: server.fetch, channel: hub.open(), locks: undefined, doc: new EventTarget(), onHeld: () => {} });
    // `locks: undefined` falls back to navigator.locks, which Node lacks.
    await settle();
    expect(tab.leading).toBe(true);
    const x = watch(tab.join('x'));
    await settle();
    server.post('x', 'alone');
    await settle();
    expect(x.shown).toEqual(['alone']);
  });
});
