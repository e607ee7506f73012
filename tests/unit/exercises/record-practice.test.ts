// Practice progress in the browser: one localStorage entry and a `comet:progress` event.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRACTICE_STORAGE_KEY, PROGRESS_EVENT, readPractice, recordPractice } from '../../../src/client/exercises/record-practice.ts';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

beforeEach(() => {
  vi.stubGlobal('document', new EventTarget());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('recordPractice', () => {
  it('stores each item once, keeps its first time, and announces every record', () => {
    const storage = memoryStorage();
    const events: unknown[] = [];
    document.addEventListener(PROGRESS_EVENT, (event) => events.push((event as CustomEvent).detail));
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    recordPractice({ kind: 'quiz', id: 'long-poll-chat/1' }, storage);
    vi.setSystemTime(Date.UTC(2026, 0, 2));
    recordPractice({ kind: 'quiz', id: 'long-poll-chat/1' }, storage);
    recordPractice({ kind: 'exercise', id: '04-long-poll-wait' }, storage);
    vi.useRealTimers();
    expect(JSON.parse(storage.getItem(PRACTICE_STORAGE_KEY)!)).toEqual({
      quiz: { 'long-poll-chat/1': '2026-01-01T00:00:00.000Z' },
      exercise: { '04-long-poll-wait': '2026-01-02T00:00:00.000Z' },
    });
    expect(events).toEqual([
      { kind: 'quiz', id: 'long-poll-chat/1' },
      { kind: 'quiz', id: 'long-poll-chat/1' },
      { kind: 'exercise', id: '04-long-poll-wait' },
    ]);
  });

  it('starts afresh from a broken entry, and still announces when storage refuses', () => {
    const storage = memoryStorage();
    storage.setItem(PRACTICE_STORAGE_KEY, '{not json');
    expect(readPractice(storage)).toEqual({ quiz: {}, exercise: {} });
    const refusing = { ...memoryStorage(), setItem: () => { throw new Error('QuotaExceededError'); } } as Storage;
    const events: unknown[] = [];
    document.addEventListener(PROGRESS_EVENT, (event) => events.push((event as CustomEvent).detail));
    recordPractice({ kind: 'exercise', id: '02-naive-wait' }, refusing);
    expect(events).toHaveLength(1);
  });
});
