import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/test-server.ts';

describe('graceful shutdown', () => {
  it('ends open clock frames with a recycle message and exits within 5 s', async () => {
    const server = await startTestServer();
    const response = await fetch(server.url('/api/clock/frame'));
    const reader = response.body!.getReader();
    await reader.read(); // the head: the frame is open

    const startedAt = performance.now();
    const stopped = server.stop();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    await stopped;
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(rest).toContain('"type":"recycle"');
    expect(rest.trimEnd().endsWith('</body></html>')).toBe(true);
  });
});
