import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChangingCounter, IDLE_AFTER_MS } from '../../../../src/server/polling/changing-counter.ts';

describe('the polling lesson counter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(50_000);
  });
  afterEach(() => vi.useRealTimers());

  it('does nothing until somebody reads it', () => {
    const counter = createChangingCounter();
    expect(counter.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('changes at a random moment between 2 and 8 s after the last change', () => {
    let random = 0;
    const counter = createChangingCounter({ random: () => random });
    expect(counter.read()).toEqual({ value: 0, changedAt: 50_000 });

    vi.advanceTimersByTime(1_999);
    expect(counter.read().value).toBe(0);
    random = 0.999_999; // draws the delay after the next change
    vi.advanceTimersByTime(1);
    expect(counter.read()).toEqual({ value: 1, changedAt: 52_000 });

    vi.advanceTimersByTime(7_990);
    expect(counter.read().value).toBe(1);
    vi.advanceTimersByTime(10);
    expect(counter.read()).toEqual({ value: 2, changedAt: 60_000 });
    counter.stop();
  });

  it('keeps a single timer however many pages read it', () => {
    const counter = createChangingCounter();
    for (let i = 0; i < 100; i++) counter.read();
    expect(vi.getTimerCount()).toBe(1);
    counter.stop();
  });

  it('stops changing once nobody has read it for a while, and wakes on the next read', () => {
    const counter = createChangingCounter({ random: () => 0 }); // a change every 2 s while read
    counter.read();
    vi.advanceTimersByTime(IDLE_AFTER_MS + 2_000);
    expect(counter.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    const { value, changedAt } = counter.read();
    expect(value).toBe(IDLE_AFTER_MS / 2_000);
    expect(changedAt).toBe(50_000 + IDLE_AFTER_MS);

    expect(counter.running).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(counter.read().value).toBe(value + 1);
    counter.stop();
  });

  it('never keeps the process alive', () => {
    vi.useRealTimers();
    const unref = vi.fn();
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi
      .spyOn(globalThis, 'setTimeout')
      .mockImplementation(((callback: () => void, ms: number) => Object.assign(realSetTimeout(callback, ms), { unref })) as unknown as typeof setTimeout);
    const counter = createChangingCounter();
    counter.read();
    expect(unref).toHaveBeenCalledTimes(1);
    counter.stop();
    spy.mockRestore();
  });
});
