import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../src/client/backoff.ts';
import { LongPollClient, type PollAttempt, type RoomAnswer } from '../../src/client/long-poll/long-poll-client.ts';
import { startFreezingRelay, type FreezingRelay } from '../support/freezing-relay.ts';

/**
 * A connection that goes silent without closing (no FIN, no RST) is abandoned at the server's
 * promised poll timeout plus the client's margin, and the poll reopens from its cursor: nothing
 * lost. The path is a real loopback relay that freezes connections; the server here is a small
 * stand-in speaking the multi-room poll's wire contract with a short poll timeout.
 */
const POLL_TIMEOUT_MS = 400;
const MARGIN_MS = 300;

function startContractServer() {
  const messages: Array<{ id: number; epoch: string; text: string; author: string; at: number; room: string }> = [];
  const waiting = new Set<() => void>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url!, 'http://x');
    const follow = url.searchParams.get('follow')!;
    const [room, cursor] = follow.split('@') as [string, string | undefined];
    const after = cursor ? Number(cursor.split('.')[1]) : undefined;
    response.writeHead(200, { 'content-type': 'application/json', 'x-poll-timeout-ms': String(POLL_TIMEOUT_MS) });
    response.flushHeaders(); // a held poll's headers go out at once
    const answer = () => {
      const fresh = after === undefined ? messages : messages.filter((message) => message.id > after);
      response.end(JSON.stringify({ rooms: { [room]: { messages: fresh, cursor: `e1.${messages.at(-1)?.id ?? 0}` } } }));
    };
    if (after === undefined || messages.some((message) => message.id > after)) return answer();
    const wake = () => {
      waiting.delete(wake);
      clearTimeout(timer);
      answer();
    };
    const timer = setTimeout(wake, POLL_TIMEOUT_MS);
    waiting.add(wake);
  });
  return {
    server,
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    post(text: string) {
      messages.push({ id: messages.length + 1, epoch: 'e1', text, author: 't', at: 0, room: 'r' });
      for (const wake of [...waiting]) wake();
    },
  };
}

describe('a silently dead connection', () => {
  let relay: FreezingRelay | undefined;
  let contract: ReturnType<typeof startContractServer> | undefined;
  afterEach(async () => {
    await relay?.close();
    contract?.server.closeAllConnections();
    contract?.server.close();
  });

  it('is abandoned at the promised timeout plus the margin and reopened, nothing lost', async () => {
    contract = startContractServer();
    relay = await startFreezingRelay(await contract.listen());
    const client = new LongPollClient({
      endpoint: `${relay.origin}/api/chat/poll`,
      deadlineMarginMs: MARGIN_MS,
      backoff: new Backoff({ initialMs: 50, maxMs: 100 }),
    });
    const shown: string[] = [];
    const attempts: PollAttempt[] = [];
    client.addEventListener('answer', (event) => shown.push(...(event as CustomEvent<{ answer: RoomAnswer }>).detail.answer.messages.map((m) => m.text)));
    client.addEventListener('attempt', (event) => attempts.push((event as CustomEvent<PollAttempt>).detail));
    const answered = () => new Promise<void>((resolve) => client.addEventListener('answer', () => resolve(), { once: true }));
    client.follow('r');
    const first = answered();
    client.start();
    await first; // the initial load: the client now knows the server's timeout

    relay.freezeOpen(); // the held poll's path goes silent
    relay.freezeNew(true); // …and so does any new connection, until the network is back
    contract.post('sent while the path was dead');
    const abandoned = new Promise<PollAttempt>((resolve) =>
      client.addEventListener('attempt', (event) => {
        const attempt = (event as CustomEvent<PollAttempt>).detail;
        if (attempt.outcome === 'network-error') resolve(attempt);
      }),
    );
    const failure = await abandoned;
    expect(failure.reason).toMatch(/poll timeout/);
    expect(failure.endedAt - failure.startedAt).toBeGreaterThanOrEqual(POLL_TIMEOUT_MS + MARGIN_MS - 50);

    relay.freezeNew(false); // the network is back
    const delivered = new Promise<void>((resolve) => {
      const check = () => shown.includes('sent while the path was dead') && resolve();
      client.addEventListener('answer', check);
    });
    await delivered;
    client.stop();
    expect(shown.filter((text) => text === 'sent while the path was dead')).toHaveLength(1);
  });
});
