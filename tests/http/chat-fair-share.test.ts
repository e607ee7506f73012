import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer, type TestServer } from '../support/test-server.ts';

// Fifteen chat clients behind one address (an office proxy, a NAT) with the per-client limit of
// held polls at its default of 10: every client must still receive every message. The poll
// timeout is long enough that no held poll times out during the test: the ten holders give their
// places back only when a message arrives, and take them again within milliseconds, while the
// five refused clients wait out Retry-After. That is the livelock that starved them; nothing
// below depends on how fast the machine is.
const POLL_TIMEOUT_MS = 20_000;
const PER_CLIENT_LIMIT = 10; // the default of MAX_WAITERS_PER_CLIENT, not set here
const CLIENTS = PER_CLIENT_LIMIT + 5;
const MESSAGES = ['first', 'second', 'third'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { POLL_TIMEOUT_MS: String(POLL_TIMEOUT_MS) } });
});
afterAll(() => server?.stop());

interface Client {
  texts: string[];
  refusals: number;
  requests: number;
  /** Retry-After of each refusal, in seconds. */
  retryAfters: number[];
}

/** A chat client as the course's own: re-polls at once after an answer, waits Retry-After after a refusal. */
async function runClient(room: string, client: Client, stop: AbortSignal): Promise<void> {
  let cursor = '0.0';
  while (!stop.aborted) {
    client.requests += 1;
    let response: Response;
    try {
      response = await fetch(server.url(`/api/chat/messages?room=${room}&after=${cursor}`), { signal: stop });
    } catch {
      return; // stopped
    }
    if (response.status === 429) {
      client.refusals += 1;
      const seconds = Number(response.headers.get('retry-after'));
      client.retryAfters.push(seconds);
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, Math.min(seconds, 300) * 1_000));
      continue;
    }
    expect(response.status).toBe(200);
    const body = (await response.json().catch(() => undefined)) as { messages: { text: string }[]; cursor: string } | undefined;
    if (!body) return; // stopped mid-answer
    client.texts.push(...body.messages.map((message) => message.text));
    cursor = body.cursor;
  }
}

describe('clients behind one address', () => {
  it(`${CLIENTS} clients from one address, ${PER_CLIENT_LIMIT} held polls allowed: every client receives every message`, async () => {
    const room = 'fair-share';
    const stop = new AbortController();
    const clients: Client[] = Array.from({ length: CLIENTS }, () => ({ texts: [], refusals: 0, requests: 0, retryAfters: [] }));
    const running = clients.map((client) => runClient(room, client, stop.signal));
    try {
      // The limit is reached and the clients past it are being refused: the situation that starved them.
      await eventually(async () => expect((await readGauges(server)).chatHeldPolls).toBe(PER_CLIENT_LIMIT), { timeoutMs: 20_000 });
      await eventually(async () => expect(clients.filter((client) => client.refusals > 0).length).toBeGreaterThanOrEqual(5), {
        timeoutMs: 20_000,
      });

      for (const text of MESSAGES) {
        const posted = await fetch(server.url('/api/chat/messages'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ room, text }),
        });
        expect(posted.status).toBe(201);
      }

      await eventually(
        async () => {
          for (const client of clients) expect(client.texts).toEqual(MESSAGES); // each once, in order
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } finally {
      stop.abort();
      await Promise.all(running);
    }
    // No tight loop: every refusal told its client to wait at least a second.
    const retryAfters = clients.flatMap((client) => client.retryAfters);
    expect(retryAfters.length).toBeGreaterThan(0);
    expect(Math.min(...retryAfters)).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
