import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../../src/client/backoff.ts';
import { LongPollClient, MAX_ROOMS_PER_POLL, type PollAttempt, type RoomAnswer } from '../../../../src/client/long-poll/long-poll-client.ts';
import { POLL_DEADLINE_MARGIN_MS } from '../../../../src/client/long-poll/poll-deadline.ts';
import { MAX_NETWORK_DELAY_MS } from '../../../../src/client/network-delay.ts';
import { RoomView } from '../../../../src/client/chat/room-view.ts';
import { createFakeChatServer } from '../../../support/fake-chat-server.ts';

/** Applies every answer to a RoomView per room, as a tab would, and records what would be shown. */
function collect(client: LongPollClient) {
  const views = new Map<string, RoomView>();
  const shown = new Map<string, string[]>();
  const attempts: PollAttempt[] = [];
  const fatal: unknown[] = [];
  client.addEventListener('answer', (event) => {
    const { room, answer } = (event as CustomEvent<{ room: string; answer: RoomAnswer }>).detail;
    if (!views.has(room)) views.set(room, new RoomView(room));
    const change = views.get(room)!.apply(answer);
    if (!change) return;
    const list = change.reset ? [] : (shown.get(room) ?? []);
    list.push(...change.messages.map((message) => `${message.epoch}.${message.id}`));
    shown.set(room, list);
  });
  client.addEventListener('attempt', (event) => attempts.push((event as CustomEvent<PollAttempt>).detail));
  client.addEventListener('fatal', (event) => fatal.push((event as CustomEvent).detail));
  return { shown, attempts, fatal };
}

const settle = async () => {
  for (let i = 0; i < 30; i++) await Promise.resolve();
  await vi.advanceTimersByTimeAsync(0);
};

describe('LongPollClient (one poll for many rooms)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('follows several rooms on one held request, each from its own opaque cursor', async () => {
    const server = createFakeChatServer();
    server.post('a', 'a1');
    const client = new LongPollClient({ fetch: server.fetch });
    const { shown } = collect(client);
    client.follow('a');
    client.follow('b');
    client.start();
    await settle();
    expect(server.heldCount).toBe(1);
    expect(server.requests.at(-1)).toBe('/api/chat/poll?follow=a%40e1.1&follow=b%40e2.0');
    server.post('b', 'b1');
    server.post('a', 'a2');
    await settle();
    expect(shown.get('a')).toEqual(['e1.1', 'e1.2']);
    expect(shown.get('b')).toEqual(['e2.1']);
    expect(server.heldCount).toBe(1);
    client.stop();
  });

  it('shows every message exactly once, in order, across a scripted run of failures', async () => {
    const server = createFakeChatServer();
    server.post('r', 'm1');
    const client = new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 0.5 }) });
    const { shown } = collect(client);
    client.follow('r');
    client.start();
    await settle();
    for (const fault of ['network', 500, 503, 'malformed', 'network'] as const) {
      server.faults.push(fault);
      server.post('r', `during ${fault}`);
      server.post('r', `after ${fault}`);
      await settle();
      await vi.advanceTimersByTimeAsync(31_000);
      await settle();
    }
    client.stop();
    expect(shown.get('r')).toEqual(Array.from({ length: 11 }, (_, i) => `e1.${i + 1}`));
  });

  it('a reset replaces what is shown; a bare old cursor is never spliced onto the new incarnation', async () => {
    const server = createFakeChatServer();
    for (const text of ['1', '2', '3']) server.post('x', text);
    const client = new LongPollClient({ fetch: server.fetch });
    const { shown } = collect(client);
    client.follow('x');
    client.start();
    await settle();
    server.reset('x');
    for (const text of ['n1', 'n2']) server.post('x', text);
    await settle();
    expect(shown.get('x')).toEqual(['e2.1', 'e2.2']);
    client.stop();
  });

  it('a 200 of the wrong shape is a retried error, never a silent stop', async () => {
    const server = createFakeChatServer();
    server.faults.push('malformed');
    const client = new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 1 }) });
    const { attempts, shown } = collect(client);
    client.follow('r');
    client.start();
    await settle();
    expect(attempts[0]).toMatchObject({ outcome: 'server-error', status: 200, delayMs: 1_000 });
    expect(attempts[0]!.reason).toMatch(/malformed/);
    await vi.advanceTimersByTimeAsync(1_000);
    server.post('r', 'hello');
    await settle();
    expect(shown.get('r')).toEqual(['e1.1']);
    expect(client.running).toBe(true);
    client.stop();
  });

  it('abandons a silent connection at the server’s promised timeout plus the margin, then resumes', async () => {
    const server = createFakeChatServer({ pollTimeoutMs: 3_000 });
    const client = new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 1 }) });
    const { attempts, shown } = collect(client);
    client.follow('r');
    client.start();
    await settle(); // the initial load taught the client the server's timeout
    server.faults.push('silent');
    server.post('r', 'one'); // wakes the held poll; the next request goes silent
    await settle();
    const before = attempts.length;
    await vi.advanceTimersByTimeAsync(3_000 + POLL_DEADLINE_MARGIN_MS - 1);
    expect(attempts.length).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts.at(-1)).toMatchObject({ outcome: 'network-error' });
    expect(attempts.at(-1)!.reason).toMatch(/poll timeout/);
    server.post('r', 'two');
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(shown.get('r')).toEqual(['e1.1', 'e1.2']);
    client.stop();
  });

  it('clamps a huge Retry-After to 5 minutes instead of overflowing the timer', async () => {
    const server = createFakeChatServer();
    const huge = vi.fn(async () => Response.json({ error: 'busy' }, { status: 503, headers: { 'Retry-After': '2147484' } }));
    const client = new LongPollClient({ fetch: huge as unknown as typeof fetch, backoff: new Backoff({ random: () => 0 }) });
    const { attempts } = collect(client);
    client.follow('r');
    client.start();
    await settle();
    expect(attempts[0]).toMatchObject({ outcome: 'retry-after', delayMs: MAX_NETWORK_DELAY_MS });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(huge).toHaveBeenCalledTimes(1);
    client.stop();
    void server;
  });

  it.each([429, 503] as const)('waits at least Retry-After after a %i', async (status) => {
    const server = createFakeChatServer();
    server.faults.push(status);
    const client = new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 0 }) });
    const { attempts } = collect(client);
    client.follow('r');
    client.start();
    await settle();
    expect(attempts[0]).toMatchObject({ outcome: 'retry-after', status, delayMs: 7_000 });
    await vi.advanceTimersByTimeAsync(6_999);
    expect(server.fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.fetch.mock.calls.length).toBeGreaterThan(1);
    client.stop();
  });

  it('retries a 408 (the server gave up waiting for the request) after a backoff, as RFC 9110 §15.5.9 allows', async () => {
    const server = createFakeChatServer();
    server.faults.push(408);
    const client = new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 0 }) });
    const { attempts, fatal } = collect(client);
    client.follow('r');
    client.start();
    await settle();
    expect(attempts[0]).toMatchObject({ outcome: 'server-error', status: 408 });
    await vi.advanceTimersByTimeAsync(attempts[0]!.delayMs!);
    expect(server.fetch.mock.calls.length).toBeGreaterThan(1);
    expect(fatal).toEqual([]);
    client.stop();
  });

  it('reports a 4xx and never retries it', async () => {
    const server = createFakeChatServer();
    server.faults.push(400);
    const client = new LongPollClient({ fetch: server.fetch });
    const { fatal } = collect(client);
    client.follow('r');
    client.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.fetch).toHaveBeenCalledTimes(1);
    expect(fatal).toEqual([{ status: 400, error: 'scripted 400' }]);
    expect(client.running).toBe(false);
  });

  it('adding or dropping a room restarts the poll without counting a failure; no room, no request', async () => {
    const server = createFakeChatServer();
    const client = new LongPollClient({ fetch: server.fetch });
    const { attempts } = collect(client);
    client.start();
    await settle();
    expect(server.fetch).not.toHaveBeenCalled();
    client.follow('a');
    await settle();
    client.follow('b');
    await settle();
    client.unfollow('a');
    await settle();
    expect(server.heldCount).toBe(1);
    expect(server.requests.at(-1)).toBe('/api/chat/poll?follow=b%40e2.0');
    expect(attempts.filter((attempt) => attempt.delayMs !== undefined)).toEqual([]);
    expect(() => Array.from({ length: MAX_ROOMS_PER_POLL }, (_, i) => client.follow(`room-${i}`))).toThrow(RangeError);
    client.stop();
  });

  it('retryNow skips the rest of a backoff', async () => {
    const server = createFakeChatServer();
    server.faults.push('network');
    const client = new LongPollClient({ fetch: server.fetch, backoff: new Backoff({ random: () => 1, initialMs: 20_000 }) });
    client.follow('r');
    client.start();
    await settle();
    expect(server.fetch).toHaveBeenCalledTimes(1);
    client.retryNow();
    await settle();
    expect(server.fetch.mock.calls.length).toBeGreaterThanOrEqual(2);
    client.stop();
  });
});
