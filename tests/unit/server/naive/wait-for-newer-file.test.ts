import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitForNewerFile, type WaitResult } from '../../../../src/server/naive/wait-for-newer-file.ts';
import { createFakeNaiveFileSystem } from '../../../support/fake-naive-file-system.ts';

const FILE = '/data/naive-chat.txt';
/** 100 s after the epoch, plus a fraction: whole seconds are what the loop compares. */
const SECOND_100 = 100_000;

function track(promise: Promise<WaitResult>) {
  const state: { result?: WaitResult } = {};
  void promise.then((result) => (state.result = result));
  return state;
}

describe('waitForNewerFile', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(SECOND_100 + 300);
  });
  afterEach(() => vi.useRealTimers());

  it('keeps waiting while the file is not newer, and answers within one check of a write', async () => {
    const files = createFakeNaiveFileSystem();
    await files.fs.writeFile(FILE, 'old');
    const wait = track(waitForNewerFile({ fs: files.fs, file: FILE, since: 100 }));

    await vi.advanceTimersByTimeAsync(900); // still second 100: nothing is newer
    expect(wait.result).toBeUndefined();

    await vi.advanceTimersByTimeAsync(500); // second 101 now, but nobody has written
    expect(wait.result).toBeUndefined();

    await files.fs.writeFile(FILE, 'new');
    await vi.advanceTimersByTimeAsync(10);
    expect(wait.result).toEqual({ outcome: 'changed', timestamp: 101 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answers at once when the file is already newer than the timestamp', async () => {
    const files = createFakeNaiveFileSystem();
    await files.fs.writeFile(FILE, 'hello');
    const wait = track(waitForNewerFile({ fs: files.fs, file: FILE, since: 0 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.result).toEqual({ outcome: 'changed', timestamp: 100 });
  });

  it('looks at the file about 100 times a second', async () => {
    const files = createFakeNaiveFileSystem();
    await files.fs.writeFile(FILE, '');
    const onStat = vi.fn();
    const controller = new AbortController();
    void waitForNewerFile({ fs: files.fs, file: FILE, since: 100, signal: controller.signal, onStat });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onStat.mock.calls.length).toBeGreaterThanOrEqual(95);
    expect(onStat.mock.calls.length).toBeLessThanOrEqual(101);
    controller.abort();
  });

  it('cannot see a second write in the same whole second', async () => {
    const files = createFakeNaiveFileSystem();
    await files.fs.writeFile(FILE, 'first'); // second 100
    const first = await waitForNewerFile({ fs: files.fs, file: FILE, since: 99 });
    expect(first).toEqual({ outcome: 'changed', timestamp: 100 });

    // The client asks again with the timestamp it was given; a write lands 400 ms later, still in second 100.
    const again = track(waitForNewerFile({ fs: files.fs, file: FILE, since: first.timestamp, capMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(400);
    await files.fs.writeFile(FILE, 'second');
    await vi.advanceTimersByTimeAsync(2_000); // long past second 100
    expect(again.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(again.result).toEqual({ outcome: 'timeout', timestamp: 100 });
  });

  it('gives up at the cap and answers with the unchanged timestamp', async () => {
    const files = createFakeNaiveFileSystem();
    await files.fs.writeFile(FILE, '');
    const wait = track(waitForNewerFile({ fs: files.fs, file: FILE, since: 100 }));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(wait.result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.result).toEqual({ outcome: 'timeout', timestamp: 100 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats a missing file as time 0, as filemtime would, and keeps looking', async () => {
    const files = createFakeNaiveFileSystem();
    const controller = new AbortController();
    const wait = track(waitForNewerFile({ fs: files.fs, file: FILE, since: 0, signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(100);
    expect(wait.result).toBeUndefined();
    await files.fs.writeFile(FILE, 'finally');
    await vi.advanceTimersByTimeAsync(10);
    expect(wait.result).toEqual({ outcome: 'changed', timestamp: 100 });
  });

  it('stops looking when the client leaves, once, however many times the signal fires', async () => {
    const files = createFakeNaiveFileSystem();
    await files.fs.writeFile(FILE, '');
    const controller = new AbortController();
    const removeListener = vi.spyOn(controller.signal, 'removeEventListener');
    const wait = track(waitForNewerFile({ fs: files.fs, file: FILE, since: 100, signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(55);
    controller.abort();
    controller.signal.dispatchEvent(new Event('abort')); // a second abort path must find nothing to do
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.result).toEqual({ outcome: 'aborted', timestamp: 100 });
    expect(vi.getTimerCount()).toBe(0);
    expect(removeListener).toHaveBeenCalledTimes(1);

    const looksAfterAbort = files.statCalls;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(files.statCalls).toBe(looksAfterAbort);
  });

  it('answers a request whose client has already gone without looking at the file', async () => {
    const files = createFakeNaiveFileSystem();
    const result = await waitForNewerFile({ fs: files.fs, file: FILE, since: 5, signal: AbortSignal.abort() });
    expect(result).toEqual({ outcome: 'aborted', timestamp: 5 });
    expect(files.statCalls).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
