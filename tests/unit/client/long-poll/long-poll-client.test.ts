import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../../src/client/backoff.ts';
import { LongPollClient, parseRetryAfter, type ChatMessage, type PollAttempt } from '../../../../src/client/long-poll/long-poll-client.ts';

type Fault = 'network' | 500 | 503 | 429 | 400;

/**
 * A scripted stand-in for the chat API: a real message log with long-poll semantics
 * (answers at once when there is news, otherwise holds the request until there is),
 * and a queue of faults that the next requests meet instead.
 */
function createFakeServer() {
  const log: ChatMessage[] = [];
  const faults: Fault[] = [];
  const held = new Set<() => void>();
  const requests: string[] = [];

  const answer = (after: number | undefined) => {
    const messages = after === undefined ? log.slice(-50) : log.filter((message) => message.id > after);
    return Response.json({ messages, cursor: log.at(-1)?.id ?? 0 });
  };

  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://site.test');
    requests.push(url.search);
    const after = url.searchParams.has('after') ? Number(url.searchParams.get('after')) : undefined;
    const fault = faults.shift();
    if (fault === 'network') throw new TypeError('Failed to fetch');
    if (fault) {
      const headers = fault === 429 || fault === 503 ? { 'Retry-After': '7' } : undefined;
      return Response.json({ error: `scripted ${fault}` }, { status: fault, headers });
    }
    if (after === undefined || log.some((message) => message.id > after)) return answer(after);
    return new Promise<Response>((resolve, reject) => {
      const wake = () => {
        held.delete(wake);
        resolve(answer(after));
      };
      held.add(wake);
      init?.signal?.addEventListener('abort', () => {
        held.delete(wake);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  });

  return {
    fetch,
    faults,
    requests,
    post(text: string) {
      log.push({ id: log.length + 1, text, author: 'test', at: 0, room: 'r' });
      for (const wake of [...held]) wake();
    },
  };
}

function collect(client: LongPollClient) {
  const shown: number[] = [];
  const attempts: PollAttempt[] = [];
  const fatal: unknown[] = [];
  client.addEventListener('messages', (event) =>
    shown.push(...(event as CustomEvent<{ messages: ChatMessage[] }>).detail.messages.map((m) => m.id)),
  );
  client.addEventListener('attempt', (event) => attempts.push((event as CustomEvent<PollAttempt>).detail));
  client.addEventListener('fatal', (event) => fatal.push((event as CustomEvent).detail));
  return { shown, attempts, fatal };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('LongPollClient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows every message exactly once, in order, across a scripted run of failures', async () => {
    const server = createFakeServer();
    server.post('m1');
    const client = new LongPollClient({ room: 'r', fetch: server.fetch, backoff: new Backoff({ random: () => 0.5 }) });
    const { shown } = collect(client);
    client.start();
    await settle();
    expect(shown).toEqual([1]);

    for (const fault of ['network', 500, 503, 'network'] as const) {
      server.faults.push(fault);
      server.post(`during ${fault}`); // wakes the held poll; the next request meets the fault
      server.post(`after ${fault}`);
      await settle();
      await vi.advanceTimersByTimeAsync(31_000); // any backoff has passed
      await settle();
    }
    client.stop();
    expect(shown).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('backs off exponentially on failures and starts over after a success', async () => {
    const server = createFakeServer();
    server.faults.push('network', 'network', 'network');
    const client = new LongPollClient({ room: 'r', fetch: server.fetch, backoff: new Backoff({ random: () => 1 }) });
    const { attempts } = collect(client);
    client.start();
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000);
    expect(attempts.map((attempt) => attempt.delayMs)).toEqual([1_000, 2_000, 4_000, undefined]);
    server.faults.push('network');
    server.post('x');
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts.at(-1)).toMatchObject({ outcome: 'network-error', delayMs: 1_000 });
    client.stop();
  });

  it.each([429, 503] as const)('waits at least Retry-After after a %i', async (status) => {
    const server = createFakeServer();
    server.faults.push(status);
    const client = new LongPollClient({ room: 'r', fetch: server.fetch, backoff: new Backoff({ random: () => 0 }) });
    const { attempts } = collect(client);
    client.start();
    await settle();
    expect(attempts[0]).toMatchObject({ outcome: 'retry-after', status, delayMs: 7_000 });
    await vi.advanceTimersByTimeAsync(6_999);
    expect(server.fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.fetch.mock.calls.length).toBeGreaterThan(1);
    client.stop();
  });

  it('reports a 4xx and never retries it', async () => {
    const server = createFakeServer();
    server.faults.push(400);
    const client = new LongPollClient({ room: 'r', fetch: server.fetch });
    const { fatal } = collect(client);
    client.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.fetch).toHaveBeenCalledTimes(1);
    expect(fatal).toEqual([{ status: 400, error: 'scripted 400' }]);
    expect(client.running).toBe(false);
  });

  it('polls again at once after an empty answer', async () => {
    const server = createFakeServer();
    const client = new LongPollClient({ room: 'r', fetch: server.fetch });
    const { attempts } = collect(client);
    client.start();
    await settle();
    expect(attempts[0]).toMatchObject({ outcome: 'empty', received: 0, cursor: 0 });
    expect(attempts[0]!.delayMs).toBeUndefined();
    expect(server.requests).toEqual(['?room=r', '?room=r&after=0']);
    client.stop();
  });

  it('cutting the network fails every attempt until the time is up, then resumes from the cursor', async () => {
    const server = createFakeServer();
    server.post('a');
    const client = new LongPollClient({ room: 'r', fetch: server.fetch, backoff: new Backoff({ random: () => 0 }) });
    const { shown } = collect(client);
    client.start();
    await settle();
    client.cutNetwork(5_000);
    server.post('b');
    await vi.advanceTimersByTimeAsync(4_000);
    expect(shown).toEqual([1]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(shown).toEqual([1, 2]);
    expect(server.requests.at(-1)).toBe('?room=r&after=2');
    client.stop();
  });

  it('retryNow ends a backoff early; stop ends the loop', async () => {
    const server = createFakeServer();
    server.faults.push('network');
    const client = new LongPollClient({ room: 'r', fetch: server.fetch, backoff: new Backoff({ random: () => 1 }) });
    client.start();
    await settle();
    expect(server.fetch).toHaveBeenCalledTimes(1);
    client.retryNow();
    await settle();
    // the retried request, then the poll it leads to, held by the server
    expect(server.requests).toEqual(['?room=r', '?room=r', '?room=r&after=0']);
    client.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.fetch).toHaveBeenCalledTimes(3);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBe(0);
    expect(parseRetryAfter(null)).toBe(0);
  });
});

describe('LongPollClient.repoll', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('restarts the held poll at once, without a backoff', async () => {
    const server = createFakeServer();
    const client = new LongPollClient({ room: 'r', fetch: server.fetch });
    const { attempts } = collect(client);
    client.start();
    await settle();
    client.repoll();
    await settle();
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['empty', 'aborted']);
    expect(server.requests).toEqual(['?room=r', '?room=r&after=0', '?room=r&after=0']);
    client.stop();
  });
});

describe('LongPollClient when a room starts again', () => {
  it('clears the list and shows the new ids from 1 when the cursor goes backwards', async () => {
    const answers = [
      { messages: [{ id: 7, text: 'old', author: 'a', at: 0, room: 'r' }], cursor: 7 },
      { messages: [{ id: 1, text: 'new', author: 'a', at: 0, room: 'r' }], cursor: 1, gap: true },
    ];
    let stop!: () => void;
    const fetch = vi.fn(async () => {
      const next = answers.shift();
      if (!next) {
        stop();
        return Response.json({ messages: [], cursor: 1 });
      }
      return Response.json(next);
    });
    const client = new LongPollClient({ room: 'r', fetch });
    stop = () => client.stop();
    const events: Array<{ ids: number[]; reset: boolean }> = [];
    client.addEventListener('messages', (event) => {
      const { messages, reset } = (event as CustomEvent<{ messages: ChatMessage[]; reset: boolean }>).detail;
      events.push({ ids: messages.map((m) => m.id), reset });
    });
    client.start();
    await settle();
    expect(events).toEqual([
      { ids: [7], reset: false },
      { ids: [1], reset: true },
    ]);
    expect(client.cursor).toBe(1);
  });
});
