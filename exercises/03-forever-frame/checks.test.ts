// Checks for the forever frame. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadImplementation, loadReference } from '../tooling/implementation.ts';
import { assertSameTimeline, createTimelineRecorder, type TimelineEntry } from '../tooling/timeline.ts';

type Module = typeof import('../../src/server/clock/forever-frame-stream.ts');
const referenceUrl = new URL('../../src/server/clock/forever-frame-stream.ts', import.meta.url);
const yours = await loadImplementation<Module>(referenceUrl);
const reference = await loadReference<Module>(referenceUrl);

const START = Date.UTC(2026, 0, 1, 12, 0, 0);
const decoder = new TextDecoder();

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

interface Delivered {
  type: string;
  seq?: number;
  serverTime?: number;
}

/** A client that reads every chunk as it comes and notes what the page would be handed. */
function readFrame(stream: ReadableStream<Uint8Array>, record: (event: string) => void = () => {}) {
  const messages: Delivered[] = [];
  let bytes = 0;
  let ended = false;
  const reader = stream.getReader();
  const done = (async () => {
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      bytes += value.byteLength;
      for (const match of decoder.decode(value).matchAll(/deliver\((\{.*?\})\)<\/script>/g)) {
        const message = JSON.parse(match[1]!) as Delivered;
        messages.push(message);
        record(message.type === 'tick' ? `tick ${message.seq}` : message.type);
      }
    }
    ended = true;
    record('end of document');
  })().catch(() => record('read failed'));
  return { messages, reader, done, bytes: () => bytes, ended: () => ended };
}

describe('the forever frame', () => {
  it('Send one tick per interval, numbered from 1, with the server time', async () => {
    const frame = readFrame(yours.createForeverFrameStream({ nonce: 'n', intervalMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(3_500);
    const ticks = frame.messages.filter((message) => message.type === 'tick');
    expect(ticks.map((tick) => tick.seq), 'three intervals, three ticks').toEqual([1, 2, 3]);
    expect(ticks.map((tick) => tick.serverTime)).toEqual([START + 1_000, START + 2_000, START + 3_000]);
    await frame.reader.cancel();
  });

  it('Recycle before the document would outgrow maxBytes, then end it', async () => {
    const maxBytes = 4 * 1024;
    const closes: string[] = [];
    const frame = readFrame(yours.createForeverFrameStream({ nonce: 'n', intervalMs: 100, maxBytes, onClose: (reason) => closes.push(reason) }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(frame.ended(), 'the document ends after its recycle message').toBe(true);
    expect(frame.messages.at(-1)?.type, 'the last words of a frame are a recycle message').toBe('recycle');
    expect(frame.bytes(), `the document never grows past maxBytes (${maxBytes})`).toBeLessThanOrEqual(maxBytes);
    expect(frame.messages.filter((message) => message.type === 'tick').length, 'ticks until the bound is near').toBeGreaterThan(3);
    expect(closes).toEqual(['recycled']);
    expect(vi.getTimerCount(), 'no timer left running after a recycle').toBe(0);
  });

  it('Clean up once when the client leaves: abort first, then cancel', async () => {
    const controller = new AbortController();
    const closes: string[] = [];
    const stream = yours.createForeverFrameStream({ nonce: 'n', intervalMs: 1_000, signal: controller.signal, onClose: (reason) => closes.push(reason) });
    const frame = readFrame(stream);
    await vi.advanceTimersByTimeAsync(1_500);
    controller.abort();
    await frame.reader.cancel().catch(() => {});
    await vi.advanceTimersByTimeAsync(5_000);
    expect(closes, 'onClose once, with the first reason').toEqual(['aborted']);
    expect(vi.getTimerCount(), 'the tick timer must stop when the client leaves').toBe(0);
  });

  it('Clean up once when cancel comes first, then the abort', async () => {
    const controller = new AbortController();
    const closes: string[] = [];
    const stream = yours.createForeverFrameStream({ nonce: 'n', intervalMs: 1_000, signal: controller.signal, onClose: (reason) => closes.push(reason) });
    const frame = readFrame(stream);
    await vi.advanceTimersByTimeAsync(1_500);
    await frame.reader.cancel();
    controller.abort();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(closes, 'onClose once, with the first reason').toEqual(['cancelled']);
    expect(vi.getTimerCount(), 'the tick timer must stop when the stream is cancelled').toBe(0);
  });

  it('Send the same chunks at the same moments as the lesson\'s frame to the same scripted clients', async () => {
    const script = async (module: Module) => {
      vi.setSystemTime(START);
      const { timeline, record } = createTimelineRecorder(() => Date.now() - START);
      const leaving = new AbortController();
      const reader = readFrame(module.createForeverFrameStream({ nonce: 'n', intervalMs: 1_000, signal: leaving.signal }), (event) => record(`A: ${event}`));
      const small = readFrame(module.createForeverFrameStream({ nonce: 'n', intervalMs: 700, maxBytes: 3_000 }), (event) => record(`B: ${event}`));
      await vi.advanceTimersByTimeAsync(2_500);
      leaving.abort(); // A closes the tab
      await reader.reader.cancel().catch(() => {});
      await vi.advanceTimersByTimeAsync(10_000);
      if (!small.ended()) await small.reader.cancel(); // a frame that never recycles: stop reading
      return timeline;
    };
    assertSameTimeline(await script(reference), await script(yours), explainFrame);
  });
});

function explainFrame(expected: TimelineEntry | undefined, yours: TimelineEntry | undefined): string {
  if (!yours) return `your frame sent nothing more where the lesson's sent "${expected!.event}" at ${expected!.atMs} ms.`;
  if (!expected) return `your frame sent "${yours.event}" at ${yours.atMs} ms, after the lesson's had stopped: is the timer still running after the client left?`;
  if (yours.event.endsWith('tick 1') && yours.atMs === 0) return 'your frame sent a tick at once; the first tick comes one interval after the frame opens.';
  return `your frame sent "${yours.event}" at ${yours.atMs} ms where the lesson's sent "${expected.event}" at ${expected.atMs} ms.`;
}
