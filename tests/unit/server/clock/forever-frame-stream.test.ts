import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createForeverFrameStream, type FrameCloseReason } from '../../../../src/server/clock/forever-frame-stream.ts';

const decoder = new TextDecoder();

/** The messages the frame's scripts deliver, in order. */
function messagesIn(html: string): Array<Record<string, unknown>> {
  return [...html.matchAll(/deliver\((\{.*?\})\)<\/script>/g)].map((match) => JSON.parse(match[1]!));
}

async function readAvailable(reader: ReadableStreamDefaultReader<Uint8Array>, chunks: number): Promise<string> {
  let text = '';
  for (let i = 0; i < chunks; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return text;
}

describe('createForeverFrameStream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the head with padding and an open message before any tick', async () => {
    const stream = createForeverFrameStream({ nonce: 'n0nce', now: () => 42 });
    const reader = stream.getReader();
    const head = await readAvailable(reader, 2);
    expect(head).toMatch(/^<!doctype html>/);
    expect(head).toContain('<!--' + ' '.repeat(2048) + '-->');
    expect(messagesIn(head)).toEqual([{ type: 'open', intervalMs: 1000, maxBytes: 128 * 1024 }]);
    expect(head.match(/<script nonce="n0nce">/g)?.length).toBe(2);
    await reader.cancel();
  });

  it('sends one tick per interval carrying the server time', async () => {
    let clock = 1_000_000;
    const reader = createForeverFrameStream({ nonce: 'n', now: () => clock }).getReader();
    await readAvailable(reader, 2);
    clock = 1_001_000;
    vi.advanceTimersByTime(999);
    clock = 1_001_000;
    vi.advanceTimersByTime(1);
    const first = messagesIn(await readAvailable(reader, 1));
    clock = 1_002_000;
    vi.advanceTimersByTime(1_000);
    const second = messagesIn(await readAvailable(reader, 1));
    expect(first).toMatchObject([{ type: 'tick', seq: 1, serverTime: 1_001_000 }]);
    expect(second).toMatchObject([{ type: 'tick', seq: 2, serverTime: 1_002_000 }]);
    await reader.cancel();
  });

  it('does not tick before the interval has passed', async () => {
    const onClose = vi.fn();
    const stream = createForeverFrameStream({ nonce: 'n', intervalMs: 500, onClose });
    const reader = stream.getReader();
    await readAvailable(reader, 2);
    vi.advanceTimersByTime(499);
    expect(vi.getTimerCount()).toBe(1);
    let settled = false;
    const pending = reader.read().then((result) => ((settled = true), result));
    await Promise.resolve();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    expect(messagesIn(decoder.decode((await pending).value))).toMatchObject([{ type: 'tick', seq: 1 }]);
    await reader.cancel();
  });

  it('clears its timer once on cancel, and a later abort changes nothing', async () => {
    const reasons: FrameCloseReason[] = [];
    const abort = new AbortController();
    const reader = createForeverFrameStream({
      nonce: 'n',
      signal: abort.signal,
      onClose: (reason) => reasons.push(reason),
    }).getReader();
    expect(vi.getTimerCount()).toBe(1);
    await reader.cancel();
    abort.abort();
    expect(vi.getTimerCount()).toBe(0);
    expect(reasons).toEqual(['cancelled']);
  });

  it('closes the stream once on abort, and a later cancel changes nothing', async () => {
    const reasons: FrameCloseReason[] = [];
    const abort = new AbortController();
    const reader = createForeverFrameStream({
      nonce: 'n',
      signal: abort.signal,
      onClose: (reason) => reasons.push(reason),
    }).getReader();
    await readAvailable(reader, 2);
    abort.abort();
    expect(vi.getTimerCount()).toBe(0);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await reader.cancel();
    expect(reasons).toEqual(['aborted']);
  });

  it('never starts a timer for a request that was already aborted', () => {
    const onClose = vi.fn();
    createForeverFrameStream({ nonce: 'n', signal: AbortSignal.abort(), onClose });
    expect(vi.getTimerCount()).toBe(0);
    expect(onClose).toHaveBeenCalledExactlyOnceWith('aborted');
  });

  it('recycles before passing its size bound: a recycle message, the closing tags, then the end', async () => {
    const maxBytes = 4 * 1024;
    const onClose = vi.fn();
    const reader = createForeverFrameStream({ nonce: 'n', maxBytes, onClose }).getReader();
    let html = '';
    let bytes = 0;
    for (let tick = 0; tick < 100; tick++) {
      vi.advanceTimersByTime(1_000);
    }
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      html += decoder.decode(value);
    }
    const messages = messagesIn(html);
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(messages.at(-1)).toMatchObject({ type: 'recycle' });
    expect(messages.filter((message) => message.type === 'tick').length).toBeGreaterThan(5);
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
    expect(onClose).toHaveBeenCalledExactlyOnceWith('recycled');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createForeverFrameStream at shutdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ends the document with a recycle message when the end signal fires', async () => {
    const end = new AbortController();
    const onClose = vi.fn();
    const reader = createForeverFrameStream({ nonce: 'n', endSignal: end.signal, onClose }).getReader();
    end.abort();
    let html = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      html += decoder.decode(value);
    }
    expect(messagesIn(html).map((message) => message.type)).toEqual(['open', 'recycle']);
    expect(onClose).toHaveBeenCalledExactlyOnceWith('recycled');
    expect(vi.getTimerCount()).toBe(0);
  });
});
