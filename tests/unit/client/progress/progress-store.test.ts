import { describe, expect, it } from 'vitest';
import { createProgressStore, PROGRESS_EVENT, PROGRESS_STORAGE_KEY, type ProgressRecord } from '../../../../src/client/progress/progress-store.ts';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
    items,
  };
}

describe('progress store', () => {
  it('records the first time something was done, announces each change, and forgets on reset', () => {
    const storage = memoryStorage();
    const events = new EventTarget();
    const store = createProgressStore({ storage, events });
    const seen: ProgressRecord[] = [];
    store.onChange((record) => seen.push(record));

    store.markDone('lesson', 'long-poll-chat', 1_000);
    store.markDone('lesson', 'long-poll-chat', 2_000); // already done: nothing changes
    store.markDone('exercise', 'cursor-1', 3_000);

    expect(store.isDone('lesson', 'long-poll-chat')).toBe(true);
    expect(store.doneIds('exercise')).toEqual(['cursor-1']);
    expect(JSON.parse(storage.items.get(PROGRESS_STORAGE_KEY)!)).toEqual({ version: 1, done: { lesson: { 'long-poll-chat': 1_000 }, exercise: { 'cursor-1': 3_000 } } });
    expect(seen).toHaveLength(2);

    store.reset();
    expect(store.isDone('lesson', 'long-poll-chat')).toBe(false);
    expect(seen.at(-1)).toEqual({ version: 1, done: {} });
  });

  it('treats unreadable, foreign or blocked storage as no progress, and still announces', () => {
    const storage = memoryStorage();
    storage.setItem(PROGRESS_STORAGE_KEY, '{not json');
    const events = new EventTarget();
    let announced = 0;
    events.addEventListener(PROGRESS_EVENT, () => announced++);
    expect(createProgressStore({ storage, events }).doneIds('lesson')).toEqual([]);
    storage.setItem(PROGRESS_STORAGE_KEY, JSON.stringify({ version: 7, done: { lesson: { x: 1 } } }));
    expect(createProgressStore({ storage, events }).isDone('lesson', 'x')).toBe(false);

    const blocked = createProgressStore({
      storage: { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => { throw new Error('denied'); } },
      events,
    });
    blocked.markDone('quiz', 'q1');
    blocked.reset();
    expect(announced).toBe(2);
  });

  it('hears changes made in another tab (storage events for its key)', () => {
    const storage = memoryStorage();
    const events = new EventTarget();
    const store = createProgressStore({ storage, events });
    const seen: ProgressRecord[] = [];
    store.onChange((record) => seen.push(record));
    storage.setItem(PROGRESS_STORAGE_KEY, JSON.stringify({ version: 1, done: { lesson: { beyond: 5 } } }));
    const otherTab = Object.assign(new Event('storage'), { key: PROGRESS_STORAGE_KEY });
    events.dispatchEvent(otherTab);
    events.dispatchEvent(Object.assign(new Event('storage'), { key: 'something-else' }));
    expect(seen).toEqual([{ version: 1, done: { lesson: { beyond: 5 } } }]);
  });
});
