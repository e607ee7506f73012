import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bindToPageLifecycle, type Resumable } from '../../../../src/client/long-poll/page-lifecycle.ts';

function fakeConnection(): Resumable & { calls: string[] } {
  const calls: string[] = [];
  let running = true;
  return {
    calls,
    get running() {
      return running;
    },
    start: () => (calls.push('start'), (running = true)),
    stop: (reason) => (calls.push(`stop: ${reason}`), (running = false)),
    retryNow: () => calls.push('retryNow'),
  } as Resumable & { calls: string[] };
}

describe('bindToPageLifecycle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const page = () => {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
    return { win, doc };
  };

  it('retries at once when the browser comes back online', () => {
    const { win, doc } = page();
    const connection = fakeConnection();
    bindToPageLifecycle(connection, { win, doc });
    win.dispatchEvent(new Event('online'));
    expect(connection.calls).toEqual(['retryNow']);
  });

  it('stops after the page has been hidden for a while, and resumes when visible', () => {
    const { win, doc } = page();
    const connection = fakeConnection();
    bindToPageLifecycle(connection, { win, doc, hiddenStopAfterMs: 1_000 });
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(999);
    expect(connection.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(connection.calls).toEqual(['stop: the page has been hidden for a while']);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(connection.calls.at(-1)).toBe('start');
  });

  it('does nothing when the page is shown again before the delay', () => {
    const { win, doc } = page();
    const connection = fakeConnection();
    bindToPageLifecycle(connection, { win, doc, hiddenStopAfterMs: 1_000 });
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(5_000);
    expect(connection.calls).toEqual([]);
  });
});
