import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../../src/client/backoff.ts';
import { ChatSocketClient, HEARTBEAT_MARGIN_MS, MAX_DELAY_MS, type SocketChatMessage } from '../../../../src/client/socket/chat-socket-client.ts';

/** A stand-in for the browser's WebSocket: the test plays the server. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  readyState = 0;
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: [number, string] | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  readonly url: URL;

  constructor(url: URL) {
    this.url = url;
    FakeSocket.opened.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverClose(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const message = (id: number, epoch = 'e1', text = `m${id}`): SocketChatMessage => ({ id, epoch, text, author: 'a', at: 0, room: 'r' });
const latest = () => FakeSocket.opened.at(-1)!;

function startClient() {
  const shown: Array<{ texts: string[]; replace: boolean; gap: boolean }> = [];
  const client = new ChatSocketClient({
    url: 'ws://example.test/api/chat/socket',
    room: 'r',
    WebSocketClass: FakeSocket as unknown as typeof WebSocket,
    backoff: new Backoff({ initialMs: 1_000, maxMs: 30_000, random: () => 0 }),
    onMessages: (messages, how) => shown.push({ texts: messages.map((m) => m.text), ...how }),
  });
  client.start();
  return { client, shown };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.opened = [];
});
afterEach(() => vi.useRealTimers());

describe('ChatSocketClient', () => {
  it('resumes from its cursor after a drop, with the shared backoff, and shows a resent message once', () => {
    const { shown } = startClient();
    expect(latest().url.searchParams.get('after')).toBeNull();
    latest().open();
    latest().frame({ type: 'position', cursor: 'e1.2', heartbeatMs: 15_000 });
    latest().frame({ type: 'messages', messages: [message(1), message(2)], cursor: 'e1.2' });
    latest().serverClose(1001, 'the server is restarting');

    expect(FakeSocket.opened).toHaveLength(1);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.opened).toHaveLength(1);
    vi.advanceTimersByTime(1); // equal jitter with random 0: half of 1 s
    expect(FakeSocket.opened).toHaveLength(2);
    expect(latest().url.searchParams.get('after')).toBe('e1.2');

    latest().open();
    latest().frame({ type: 'messages', messages: [message(2), message(3)], cursor: 'e1.3' });
    expect(shown.map((s) => s.texts)).toEqual([['m1', 'm2'], ['m3']]);
  });

  it('replaces what is shown on a reset, and then accepts the new incarnation’s ids', () => {
    const { shown } = startClient();
    latest().open();
    latest().frame({ type: 'messages', messages: [message(1), message(2)], cursor: 'e1.2' });
    latest().frame({ type: 'reset', messages: [message(1, 'e2', 'fresh')], cursor: 'e2.1' });
    latest().frame({ type: 'messages', messages: [message(2, 'e2', 'next')], cursor: 'e2.2' });
    expect(shown.slice(1)).toEqual([
      { texts: ['fresh'], replace: true, gap: false },
      { texts: ['next'], replace: false, gap: false },
    ]);
  });

  it('treats a silence longer than the heartbeat (plus margin) as a dead connection and reconnects', () => {
    startClient();
    latest().open();
    latest().frame({ type: 'position', cursor: 'e1.0', heartbeatMs: 10_000 });
    latest().frame({ type: 'messages', messages: [], cursor: 'e1.0' });
    vi.advanceTimersByTime(9_000);
    latest().frame({ type: 'heartbeat' }); // re-arms the watchdog
    vi.advanceTimersByTime(10_000 + HEARTBEAT_MARGIN_MS - 1);
    expect(latest().closedWith).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(latest().closedWith?.[0]).toBe(4408);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.opened).toHaveLength(2);
    expect(latest().url.searchParams.get('after')).toBe('e1.0');
  });

  it('waits at least a server’s retryAfterMs, clamped to five minutes', () => {
    startClient();
    latest().open();
    latest().frame({ type: 'error', error: 'full', retryAfterMs: 10 * 60_000 });
    latest().serverClose(1013, 'the server is full');
    vi.advanceTimersByTime(MAX_DELAY_MS - 1);
    expect(FakeSocket.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.opened).toHaveLength(2);
  });

  it('sends a post with a key, re-sends it after a reconnect, and resolves once with the stored message', async () => {
    const { client } = startClient();
    latest().open();
    const posting = client.post('hello', 'ann');
    const [frame] = latest().sent.map((text) => JSON.parse(text));
    expect(frame).toMatchObject({ type: 'post', text: 'hello', author: 'ann', key: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) });
    latest().serverClose(1006);
    vi.advanceTimersByTime(500);
    latest().open();
    expect(JSON.parse(latest().sent[0]!)).toEqual(frame);
    latest().frame({ type: 'posted', key: frame.key, message: message(1, 'e1', 'hello'), repeated: true });
    await expect(posting).resolves.toMatchObject({ repeated: true, message: { text: 'hello' } });
  });

  it('keeps posts in the page while the socket’s buffer is full, and sends them once it drains', () => {
    const { client } = startClient();
    latest().open();
    latest().bufferedAmount = 1_000_000;
    void client.post('later');
    expect(latest().sent).toHaveLength(0);
    latest().bufferedAmount = 0;
    latest().frame({ type: 'heartbeat' });
    expect(latest().sent).toHaveLength(1);
  });

  it('rejects a refused post with the server’s reason', async () => {
    const { client } = startClient();
    latest().open();
    const posting = client.post('x');
    const { key } = JSON.parse(latest().sent[0]!);
    latest().frame({ type: 'error', key, error: 'too many messages' });
    await expect(posting).rejects.toThrow('too many messages');
  });

  it('closes on pagehide (so the page can enter the back/forward cache) and reopens on pageshow from its cursor', () => {
    const { client } = startClient();
    const win = new EventTarget();
    client.bindToPage(win as unknown as Window);
    latest().open();
    latest().frame({ type: 'messages', messages: [message(4)], cursor: 'e1.4' });
    win.dispatchEvent(new Event('pagehide'));
    expect(latest().closedWith?.[0]).toBe(1000);
    expect(client.running).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    expect(FakeSocket.opened).toHaveLength(2);
    expect(latest().url.searchParams.get('after')).toBe('e1.4');
  });

  it('stops after a close that says its own frames were wrong (1003, 1007, 1009): retrying would repeat them', () => {
    const { client } = startClient();
    latest().open();
    latest().serverClose(1009, 'too big');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(client.running).toBe(false);
  });
});
