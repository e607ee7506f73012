// Checks for the long-poll wait. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadImplementation, loadReference } from '../tooling/implementation.ts';
import { assertSameTimeline, createTimelineRecorder, type TimelineEntry } from '../tooling/timeline.ts';

type Module = typeof import('./solution.ts');
const referenceUrl = new URL('./solution.ts', import.meta.url);
const yours = await loadImplementation<Module>(referenceUrl);
const reference = await loadReference<Module>(referenceUrl);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Notes when a promise settles, so a check can tell "held" from "answered". */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => Object.assign(state, { settled: true, value }));
  return state;
}

describe('the long-poll wait', () => {
  it('Hold the poll while nothing is newer than `after`', async () => {
    const room = yours.createRoom();
    const wait = watch(room.waitForMessagesAfter(0, { timeoutMs: 25_000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(wait.settled, 'your poll answered although nothing was new').toBe(false);
    expect(room.waiting(), 'a held poll is one waiter').toBe(1);
  });

  it('Answer "message" as soon as a message is posted', async () => {
    const room = yours.createRoom();
    const wait = watch(room.waitForMessagesAfter(0, { timeoutMs: 25_000 }));
    await vi.advanceTimersByTimeAsync(1_000);
    room.post('hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.value, 'the post must wake the held poll at once').toBe('message');
  });

  it('Answer "message" at once when a newer message is already there', async () => {
    const room = yours.createRoom();
    room.post('earlier');
    const wait = watch(room.waitForMessagesAfter(0, { timeoutMs: 25_000 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.value).toBe('message');
    expect(room.waiting(), 'an immediate answer parks nothing').toBe(0);
  });

  it('Answer "timeout" when timeoutMs passes with no news, and forget the waiter', async () => {
    const room = yours.createRoom();
    const wait = watch(room.waitForMessagesAfter(0, { timeoutMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(wait.settled, 'not before the timeout').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.value).toBe('timeout');
    expect(room.waiting(), 'no waiter left after a timeout').toBe(0);
  });

  it('Answer "aborted" as soon as the client leaves, and leave no timer or waiter behind', async () => {
    const room = yours.createRoom();
    const client = new AbortController();
    const wait = watch(room.waitForMessagesAfter(0, { timeoutMs: 25_000, signal: client.signal }));
    await vi.advanceTimersByTimeAsync(300);
    client.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.value).toBe('aborted');
    expect(room.waiting(), 'no waiter left for a client that has gone').toBe(0);
    expect(vi.getTimerCount(), 'no timeout left running for a client that has gone').toBe(0);
  });

  it('Lose no wake-up: a post right after the wait starts still wakes it', async () => {
    const room = yours.createRoom();
    const wait = watch(room.waitForMessagesAfter(0, { timeoutMs: 25_000 }));
    room.post('in the same turn'); // before any await of yours has had a chance to run
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.value, 'the message was posted after you checked but before you parked, and you missed it').toBe('message');
  });

  it('Settle once: a post after the client left changes nothing', async () => {
    const room = yours.createRoom();
    const client = new AbortController();
    const outcomes: string[] = [];
    void room.waitForMessagesAfter(0, { timeoutMs: 1_000, signal: client.signal }).then((outcome) => outcomes.push(outcome));
    client.abort();
    room.post('late');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outcomes).toEqual(['aborted']);
    expect(room.waiting()).toBe(0);
  });

  it('Hold and answer scripted clients exactly when the reference endpoint does', async () => {
    const script = async (module: Module) => {
      vi.setSystemTime(0);
      const { timeline, record } = createTimelineRecorder(() => Date.now());
      const room = module.createRoom();
      const handle = module.createPollHandler(room, { timeoutMs: 5_000 });
      const poll = (name: string, after: number, signal?: AbortSignal) =>
        handle(new Request(`http://127.0.0.1/poll?after=${after}`, { signal })).then(async (response) => {
          if (signal?.aborted) record(`${name} released`);
          else record(`${name} answered ${((await response.json()) as { messages: unknown[] }).messages.length} message(s)`);
        });
      const leaving = new AbortController();
      void poll('A', 0).then(() => poll('A again', 1));
      void poll('B', 0, leaving.signal);
      await vi.advanceTimersByTimeAsync(300);
      leaving.abort(); // B closes its tab
      await vi.advanceTimersByTimeAsync(700);
      room.post('hello'); // at 1 s
      await vi.advanceTimersByTimeAsync(1_000);
      void poll('C', 0); // a newcomer at 2 s: news is already there
      await vi.advanceTimersByTimeAsync(10_000);
      return timeline;
    };
    assertSameTimeline(await script(reference), await script(yours), explainPoll);
  });
});

function explainPoll(expected: TimelineEntry | undefined, yours: TimelineEntry | undefined): string {
  if (!yours) return `your endpoint never answered where the reference did: "${expected!.event}" at ${expected!.atMs} ms.`;
  if (!expected) return `your endpoint answered "${yours.event}" at ${yours.atMs} ms, which the reference never did.`;
  const client = yours.event.split(' answered')[0]!.split(' released')[0];
  if (yours.atMs < expected.atMs && /answered 0 message/.test(yours.event)) {
    return `your poll answered ${client} at once (${yours.atMs} ms) although nothing was new; it should be held.`;
  }
  if (yours.atMs > expected.atMs && expected.event.endsWith('released')) {
    return `your poll kept a waiter for ${expected.event.split(' ')[0]} until ${yours.atMs} ms although that client left at ${expected.atMs} ms.`;
  }
  if (yours.atMs > expected.atMs) {
    return `your poll held "${expected.event}" until ${yours.atMs} ms although there was news at ${expected.atMs} ms.`;
  }
  return `your endpoint did "${yours.event}" at ${yours.atMs} ms where the reference did "${expected.event}" at ${expected.atMs} ms.`;
}
