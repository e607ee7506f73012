// Checks for the naive wait loop. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeNaiveFileSystem } from '../../tests/support/fake-naive-file-system.ts';
import { loadImplementation, loadReference } from '../tooling/implementation.ts';
import { assertSameTimeline, createTimelineRecorder, type TimelineEntry } from '../tooling/timeline.ts';

type Module = typeof import('../../src/server/naive/wait-for-newer-file.ts');
const referenceUrl = new URL('../../src/server/naive/wait-for-newer-file.ts', import.meta.url);
const yours = await loadImplementation<Module>(referenceUrl);
const reference = await loadReference<Module>(referenceUrl);

const FILE = 'data/chat.txt';
const START = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

async function setUp() {
  const fake = createFakeNaiveFileSystem();
  await fake.fs.writeFile(FILE, 'hello');
  return fake.fs;
}

describe('the naive wait loop', () => {
  it('Answer "changed" with the file\'s new time once it is newer than the client\'s', async () => {
    const scenario = async (module: Module) => {
      vi.setSystemTime(START);
      const fs = await setUp();
      const since = Math.floor(START / 1_000);
      const wait = module.waitForNewerFile({ fs, file: FILE, since, checkIntervalMs: 10, capMs: 30_000 });
      await vi.advanceTimersByTimeAsync(1_000);
      await fs.writeFile(FILE, 'news');
      await vi.advanceTimersByTimeAsync(20);
      return wait;
    };
    const expected = await scenario(reference); // the file's time as the lesson's loop reports it
    expect(expected.outcome).toBe('changed');
    await expect(scenario(yours)).resolves.toEqual(expected);
  });

  it('Look at the file once every checkIntervalMs while nothing is new (one onStat per look)', async () => {
    const fs = await setUp();
    let looks = 0;
    const controller = new AbortController();
    const wait = yours.waitForNewerFile({
      fs,
      file: FILE,
      since: Math.floor(START / 1_000),
      checkIntervalMs: 10,
      signal: controller.signal,
      onStat: () => (looks += 1),
    });
    await vi.advanceTimersByTimeAsync(95);
    controller.abort();
    await wait;
    expect(looks, 'one look at once, then one every 10 ms: 10 looks in the first 95 ms').toBe(10);
  });

  it('Answer "timeout" with the client\'s own timestamp when the cap is reached', async () => {
    const fs = await setUp();
    const since = Math.floor(START / 1_000);
    const wait = yours.waitForNewerFile({ fs, file: FILE, since, checkIntervalMs: 10, capMs: 500 });
    await vi.advanceTimersByTimeAsync(500);
    await expect(wait).resolves.toEqual({ outcome: 'timeout', timestamp: since });
  });

  it('Stop looking as soon as the client leaves, and answer "aborted"', async () => {
    const fs = await setUp();
    let looks = 0;
    const controller = new AbortController();
    const wait = yours.waitForNewerFile({
      fs,
      file: FILE,
      since: Math.floor(START / 1_000),
      signal: controller.signal,
      onStat: () => (looks += 1),
    });
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await expect(wait).resolves.toMatchObject({ outcome: 'aborted' });
    const looksWhenLeft = looks;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(looks, 'no look at the file after the client has gone').toBe(looksWhenLeft);
    expect(vi.getTimerCount(), 'no timer left running after the wait has ended').toBe(0);
  });

  it('Leave no timer running once the file has changed', async () => {
    const fs = await setUp();
    const wait = yours.waitForNewerFile({ fs, file: FILE, since: Math.floor(START / 1_000) - 1 });
    await vi.advanceTimersByTimeAsync(0);
    await expect(wait).resolves.toMatchObject({ outcome: 'changed' });
    expect(vi.getTimerCount(), 'the cap timer must be cleared when the wait ends').toBe(0);
  });

  it('Answer the same scripted clients at the same moments as the lesson\'s loop', async () => {
    const script = async (module: Module) => {
      vi.setSystemTime(START);
      const fs = await setUp();
      const since = Math.floor(START / 1_000);
      const { timeline, record } = createTimelineRecorder(() => Date.now() - START);
      const leaving = new AbortController();
      const clients = {
        A: module.waitForNewerFile({ fs, file: FILE, since, capMs: 5_000 }),
        B: module.waitForNewerFile({ fs, file: FILE, since, capMs: 5_000, signal: leaving.signal }),
        C: module.waitForNewerFile({ fs, file: FILE, since: since + 5, capMs: 3_000 }),
      };
      for (const [name, wait] of Object.entries(clients)) void wait.then((result) => record(`${name} ${result.outcome}`));
      await vi.advanceTimersByTimeAsync(400);
      leaving.abort(); // B closes its tab
      await vi.advanceTimersByTimeAsync(1_600);
      await fs.writeFile(FILE, 'news'); // a message at 2 s
      await vi.advanceTimersByTimeAsync(4_000);
      return timeline;
    };
    const expected = await script(reference);
    const actual = await script(yours);
    assertSameTimeline(expected, actual, explainWait);
  });
});

function explainWait(expected: TimelineEntry | undefined, yours: TimelineEntry | undefined): string {
  if (!yours) return `your loop never answered where the lesson's answered "${expected!.event}" at ${expected!.atMs} ms.`;
  if (!expected) return `your loop answered "${yours.event}" at ${yours.atMs} ms although the lesson's had nothing more to say.`;
  if (yours.atMs < expected.atMs) {
    return `your loop answered "${yours.event}" at ${yours.atMs} ms, earlier than it should: nothing had happened yet (expected "${expected.event}" at ${expected.atMs} ms).`;
  }
  return `your loop answered "${yours.event}" at ${yours.atMs} ms where the lesson's answered "${expected.event}" at ${expected.atMs} ms.`;
}
