import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../src/client/backoff.ts';
import { PostFailedError, postMessage } from '../../../src/client/post-message.ts';
import { failedSendText } from '../../../src/client/send-announcement.ts';

describe('failedSendText: what a screen reader hears about a failed send', () => {
  it('names the wait the server asked for, in whole seconds rounded up', () => {
    expect(failedSendText(new PostFailedError('too many messages', 429, 2_100))).toBe('Not sent: too many messages. Try again in 3 s.');
  });

  it('says only "try again" when no wait was named (a refusal, a lost answer)', () => {
    expect(failedSendText(new PostFailedError('text is too long', 413))).toBe('Not sent: text is too long. Try again.');
    expect(failedSendText(new Error('no answer (Failed to fetch)'))).toBe('Not sent: no answer (Failed to fetch). Try again.');
  });
});

describe('postMessage: the failure it reports carries the status and the wait asked for', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a 429 with Retry-After, after the last attempt', async () => {
    const fetcher = vi.fn(async () => Response.json({ error: 'too many messages' }, { status: 429, headers: { 'Retry-After': '3' } }));
    const sent = postMessage('r', 'hi', 'a', { fetch: fetcher as unknown as typeof fetch, backoff: new Backoff({ random: () => 0 }) });
    const failure = sent.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(60_000);
    const error = await failure;
    expect(error).toBeInstanceOf(PostFailedError);
    expect(error).toMatchObject({ message: 'too many messages', status: 429, retryAfterMs: 3_000 });
  });

  it('a refusal (413) at once, with no wait', async () => {
    const fetcher = vi.fn(async () => Response.json({ error: 'text is too long' }, { status: 413 }));
    await expect(postMessage('r', 'hi', 'a', { fetch: fetcher as unknown as typeof fetch })).rejects.toMatchObject({ message: 'text is too long', status: 413, retryAfterMs: 0 });
    expect(fetcher).toHaveBeenCalledTimes(1);
  });
});
