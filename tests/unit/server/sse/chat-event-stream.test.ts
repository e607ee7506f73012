import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMessageLog } from '../../../../src/server/chat/message-log.ts';
import type { MessageStore, ReadResult } from '../../../../src/server/chat/message-store.ts';
import { createChatEventStream, messageEvent } from '../../../../src/server/sse/chat-event-stream.ts';

const decoder = new TextDecoder();

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pattern: RegExp): Promise<string> {
  let text = '';
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${pattern}; got ${JSON.stringify(text)}`);
    text += decoder.decode(value);
  }
  return text;
}

async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value);
  }
}

const eventIds = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));

describe('createChatEventStream', () => {
  it('sends the latest messages, then each new one as an event with its id', async () => {
    const store = createMessageLog();
    await store.append({ room: 'r', text: 'one', author: 'a' });
    const onClose = vi.fn();
    const reader = createChatEventStream({ store, room: 'r', onClose }).getReader();
    const first = await readUntil(reader, /id: 1\n/);
    expect(first.startsWith('retry: 2000\n\n')).toBe(true);
    await store.append({ room: 'r', text: 'two', author: 'a' });
    const second = await readUntil(reader, /id: 2\n/);
    expect(eventIds(first + second)).toEqual([1, 2]);
    await reader.cancel();
    expect(onClose).toHaveBeenCalledOnce();
    expect(store.counts.waiters).toBe(0);
  });

  it('resumes after the given id, so a reconnecting browser misses nothing and repeats nothing', async () => {
    const store = createMessageLog();
    for (const text of ['a', 'b', 'c']) await store.append({ room: 'r', text, author: 'x' });
    const reader = createChatEventStream({ store, room: 'r', after: 1 }).getReader();
    const text = await readUntil(reader, /id: 3\n/);
    expect(eventIds(text)).toEqual([2, 3]);
    await reader.cancel();
  });

  it('writes each event as id, event and one data line of JSON, whatever the text holds', () => {
    const event = messageEvent({ id: 4, room: 'r', text: 'two\nlines\r\n: and a colon', author: 'a', at: 1 });
    const lines = event.split('\n');
    expect(lines.slice(0, 2)).toEqual(['id: 4', 'event: message']);
    expect(JSON.parse(lines[2]!.replace(/^data: /, ''))).toMatchObject({ text: 'two\nlines\r\n: and a colon' });
    expect(event.endsWith('\n\n')).toBe(true);
    expect(lines).toHaveLength(5);
  });

  it('releases its waiter when the request is aborted, once', async () => {
    const store = createMessageLog();
    const abort = new AbortController();
    const onClose = vi.fn();
    const reader = createChatEventStream({ store, room: 'r', after: 0, signal: abort.signal, onClose }).getReader();
    await readUntil(reader, /retry/);
    await vi.waitFor(() => expect(store.counts.waiters).toBe(1));
    abort.abort();
    await reader.cancel();
    await vi.waitFor(() => expect(store.counts.waiters).toBe(0));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('ends itself once it has queued more than its reader takes, so a client that never reads costs a bounded amount', async () => {
    const store = createMessageLog();
    const onClose = vi.fn();
    const stream = createChatEventStream({ store, room: 'r', after: 0, maxBytes: 1_000_000, maxQueuedBytes: 2_000, onClose });
    await vi.waitFor(() => expect(store.counts.waiters).toBe(1));
    for (let i = 0; i < 200; i++) await store.append({ room: 'r', text: `message ${i} ${'x'.repeat(50)}`, author: 'a' });
    await vi.waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(store.counts.waiters).toBe(0);

    // Only now does the reader read: the stream ended after a bounded queue, then resumes by id.
    const text = await readToEnd(stream.getReader());
    expect(new TextEncoder().encode(text).byteLength).toBeLessThan(2_000 + 200);
    const ids = eventIds(text);
    expect(ids[0]).toBe(1);
    expect(ids.length).toBeLessThan(200);
  });

  it('ends itself past its byte budget even when the reader keeps up, after a whole event', async () => {
    const store = createMessageLog();
    for (let i = 0; i < 30; i++) await store.append({ room: 'r', text: `message ${i} ${'y'.repeat(80)}`, author: 'a' });
    const reader = createChatEventStream({ store, room: 'r', after: 0, maxBytes: 1_000 }).getReader();
    const text = await readToEnd(reader);
    const bytes = new TextEncoder().encode(text).byteLength;
    expect(bytes).toBeGreaterThanOrEqual(1_000);
    expect(bytes).toBeLessThan(1_000 + 200);
    expect(text.endsWith('\n\n')).toBe(true);
    const ids = eventIds(text);
    expect(ids).toEqual(ids.map((_, index) => index + 1)); // in order, none skipped: a reconnect resumes from the last
    expect(store.counts.waiters).toBe(0);
  });

  it('closes the stream at once when the request was aborted before it started', async () => {
    const store = createMessageLog();
    const onClose = vi.fn();
    const reader = createChatEventStream({ store, room: 'r', signal: AbortSignal.abort(), onClose }).getReader();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(onClose).toHaveBeenCalledOnce();
    expect(store.counts.waiters).toBe(0);
  });

  it('treats a cancel during the first read as a plain disconnect: nothing sent, nothing logged', async () => {
    const log = createMessageLog();
    let finishRead!: (result: ReadResult) => void;
    const store: MessageStore = {
      ...log,
      counts: log.counts,
      read: () => new Promise<ReadResult>((resolve) => (finishRead = resolve)),
      waitForMessagesAfter: (...args) => log.waitForMessagesAfter(...args),
    };
    const failed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const reader = createChatEventStream({ store, room: 'r' }).getReader();
      await readUntil(reader, /retry/);
      await reader.cancel();
      finishRead({ messages: [{ id: 1, room: 'r', text: 'late', author: 'a', at: 1 }], cursor: 1, gap: false });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(failed).not.toHaveBeenCalled();
      expect(log.counts.waiters).toBe(0);
    } finally {
      failed.mockRestore();
    }
  });

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('sends a keep-alive comment when nothing happens, and ends itself at its deadline', async () => {
      const store = createMessageLog();
      const reader = createChatEventStream({ store, room: 'r', after: 0, keepAliveMs: 1_000, maxDurationMs: 2_500 }).getReader();
      await readUntil(reader, /retry/);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await readUntil(reader, /: keep-alive\n\n/)).toContain(': keep-alive');
      await vi.advanceTimersByTimeAsync(2_000);
      let rest = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += decoder.decode(value);
      }
      expect(store.counts.waiters).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      expect(rest).not.toContain('id:');
    });
  });
});
