import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../../src/client/backoff.ts';
import { ChatEventSource, HEARTBEAT_MISSES, type ChatEventSourceEvents, type EventSourceLike } from '../../../../src/client/sse/chat-event-source.ts';

/** A stand-in for EventSource: the test fires its events. */
class FakeSource extends EventTarget implements EventSourceLike {
  readyState = 0;
  closed = false;
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  send(type: string, data: unknown, lastEventId = '') {
    this.dispatchEvent(new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data), lastEventId }));
  }
  /** Ends as EventSource does after a non-200 or a wrong type: CLOSED, for good. */
  fail(readyState: 0 | 2) {
    this.readyState = readyState;
    this.dispatchEvent(new Event('error'));
  }
}

const message = (id: number, epoch = 'e1') => ({ id, epoch, text: `m${id}`, author: 'a', at: 0, room: 'r' });

function setUp() {
  const sources: FakeSource[] = [];
  const stream = new ChatEventSource({
    room: 'r',
    createEventSource: (url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    },
    backoff: new Backoff({ random: () => 1 }),
  });
  const shown: string[] = [];
  const states: ChatEventSourceEvents['state'][] = [];
  stream.addEventListener('messages', (event) => {
    const { messages, reset } = (event as CustomEvent<ChatEventSourceEvents['messages']>).detail;
    if (reset) shown.length = 0;
    shown.push(...messages.map((m) => `${m.epoch}.${m.id}`));
  });
  stream.addEventListener('state', (event) => states.push((event as CustomEvent<ChatEventSourceEvents['state']>).detail));
  return { sources, stream, shown, states };
}

describe('ChatEventSource', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a refusal inside the stream is shown; the browser’s own retry then brings it back live', () => {
    const { sources, stream, states, shown } = setUp();
    stream.start();
    sources[0]!.open();
    sources[0]!.send('refused', { error: 'too many event streams from this address', retryAfterMs: 1_000 });
    expect(states.at(-1)).toMatchObject({ state: 'refused', reason: 'too many event streams from this address' });
    sources[0]!.fail(0); // the stream ends; EventSource reconnects by itself after `retry:`
    sources[0]!.open();
    sources[0]!.send('position', { cursor: 'e1.0', heartbeatMs: 1_000 }, 'e1.0');
    sources[0]!.send('message', message(1), 'e1.1');
    expect(states.at(-1)).toMatchObject({ state: 'open' });
    expect(shown).toEqual(['e1.1']);
    expect(sources).toHaveLength(1);
  });

  it('an EventSource that ends CLOSED (a 502, a wrong type) is replaced by the page from its own cursor after the backoff', async () => {
    const { sources, stream, shown } = setUp();
    stream.start();
    sources[0]!.open();
    sources[0]!.send('position', { cursor: 'e1.0', heartbeatMs: 10_000 }, 'e1.0');
    sources[0]!.send('message', message(1), 'e1.1');
    sources[0]!.fail(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(sources).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sources).toHaveLength(2);
    expect(new URL(sources[1]!.url, 'http://x').searchParams.get('after')).toBe('e1.1');
    sources[1]!.open();
    sources[1]!.send('message', message(1), 'e1.1'); // sent again: shown once
    sources[1]!.send('message', message(2), 'e1.2');
    expect(shown).toEqual(['e1.1', 'e1.2']);
  });

  it('a stream silent for the heartbeat misses is abandoned and reopened', async () => {
    const { sources, stream } = setUp();
    stream.start();
    sources[0]!.open();
    sources[0]!.send('position', { cursor: 'e1.0', heartbeatMs: 2_000 }, 'e1.0');
    await vi.advanceTimersByTimeAsync(2_000 * HEARTBEAT_MISSES - 100);
    sources[0]!.send('heartbeat', '{}');
    await vi.advanceTimersByTimeAsync(2_000 * HEARTBEAT_MISSES - 100);
    expect(sources[0]!.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(sources[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sources).toHaveLength(2);
  });

  it('a malformed event is a retried error, never a silent stop; a reset replaces what is shown', async () => {
    const { sources, stream, shown, states } = setUp();
    stream.start();
    sources[0]!.open();
    sources[0]!.send('message', message(1), 'e1.1');
    sources[0]!.send('message', 'not json', 'e1.2');
    expect(states.at(-1)).toMatchObject({ state: 'backing-off' });
    await vi.advanceTimersByTimeAsync(1_000);
    sources[1]!.open();
    sources[1]!.send('reset', { messages: [message(1, 'e2')] }, 'e2.1');
    expect(shown).toEqual(['e2.1']);
    expect(stream.running).toBe(true);
  });
});
