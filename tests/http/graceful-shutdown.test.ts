import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, readGauges, startTestServer } from '../support/test-server.ts';

describe('graceful shutdown', () => {
  it('ends open clock frames with a recycle message and exits within 5 s', async () => {
    const server = await startTestServer();
    const response = await fetch(server.url('/api/clock/frame'));
    const reader = response.body!.getReader();
    await reader.read(); // the head: the frame is open

    const stopped = server.stop();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    await stopped;
    // Exit code 0: the server finished its own shutdown inside its deadline (it exits 1 past it).
    expect(server.lastExit).toEqual({ code: 0, signal: null });
    expect(rest).toContain('"type":"recycle"');
    expect(rest.trimEnd().endsWith('</body></html>')).toBe(true);
  });

  it('answers held chat polls 200 with no messages and their own cursor, and leaves every acknowledged message on disk', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'comet-lessons-shutdown-'));
    const server = await startTestServer({ dataDir });
    const post = (room: string, text: string) =>
      fetch(server.url('/api/chat/messages'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ room, text }),
      });
    try {
      let epoch = '';
      for (const text of ['one', 'two']) {
        const response = await post('shutdown-a', text);
        expect(response.status).toBe(201);
        epoch = ((await response.json()) as { epoch: string }).epoch;
      }
      const poll = (search: string) =>
        fetch(server.url(`/api/chat/messages?${search}`)).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as { messages: unknown[]; cursor: string },
        }));
      const polls = [poll(`room=shutdown-a&after=${epoch}.2`), poll(`room=shutdown-a&after=${epoch}.2`), poll('room=shutdown-b&after=0.0')];
      await eventually(async () => expect((await readGauges(server)).chatWaiters).toBe(3));

      // Messages still on their way in as the signal arrives: each one acknowledged must survive.
      // One acknowledged just before the signal, so there is always something to find on disk.
      const justBefore = await post('shutdown-c', 'just before');
      const late = [
        Promise.resolve(justBefore),
        ...Array.from({ length: 5 }, (_, i) => post('shutdown-c', `late ${i}`).catch(() => undefined)),
      ];
      await server.stop();
      expect(server.lastExit).toEqual({ code: 0, signal: null }); // finished inside its own deadline
      expect(await Promise.all(polls)).toEqual([
        { status: 200, body: { messages: [], cursor: `${epoch}.2` } },
        { status: 200, body: { messages: [], cursor: `${epoch}.2` } },
        { status: 200, body: { messages: [], cursor: '0.0' } },
      ]);
      const acknowledged = [];
      for (const response of await Promise.all(late)) {
        if (response?.status === 201) acknowledged.push(((await response.json()) as { text: string }).text);
      }

      expect(acknowledged.length, 'no late post was acknowledged: nothing was tested').toBeGreaterThan(0);
      const onDisk = readFileSync(path.join(dataDir, 'chat-log.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { room: string; text: string });
      expect(onDisk.filter((message) => message.room === 'shutdown-a').map((message) => message.text)).toEqual(['one', 'two']);
      expect(onDisk.filter((message) => message.room === 'shutdown-c').map((message) => message.text)).toEqual(
        expect.arrayContaining(acknowledged),
      );

      const again = await startTestServer({ dataDir });
      try {
        const replayed = (await (await fetch(again.url('/api/chat/messages?room=shutdown-a'))).json()) as {
          messages: Array<{ id: number; text: string }>;
        };
        expect(replayed.messages.map(({ id, text }) => ({ id, text }))).toEqual([
          { id: 1, text: 'one' },
          { id: 2, text: 'two' },
        ]);
      } finally {
        await again.stop();
      }
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
