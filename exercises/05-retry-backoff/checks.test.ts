// Checks for backoff with Retry-After. Each title is an instruction; they run in order and
// the first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('./solution.ts');
const yours = await loadImplementation<Module>(new URL('./solution.ts', import.meta.url));

const policy = (random: number) => ({ initialMs: 1_000, maxMs: 30_000, random: () => random });
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const now = () => NOW;

describe('backoff that honours Retry-After', () => {
  it('Wait between half of initialMs and initialMs before the first retry', () => {
    expect(yours.nextDelayMs(0, undefined, policy(0)), 'random() = 0: half the ceiling').toBe(500);
    expect(yours.nextDelayMs(0, undefined, policy(0.999999)), 'random() ≈ 1: the whole ceiling').toBe(1_000);
    expect(yours.nextDelayMs(0, undefined, policy(0.5))).toBe(750);
  });

  it('Double the ceiling with every failure, up to maxMs', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 40].map((failures) => yours.nextDelayMs(failures, undefined, policy(0.999999)));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('Read Retry-After given in seconds', () => {
    expect(yours.retryAfterMs('120', now)).toBe(120_000);
    expect(yours.retryAfterMs('0', now)).toBe(0);
    expect(yours.retryAfterMs(null, now), 'no header').toBeUndefined();
  });

  it('Read Retry-After given as an HTTP-date', () => {
    expect(yours.retryAfterMs(new Date(NOW + 90_000).toUTCString(), now)).toBe(90_000);
    expect(yours.retryAfterMs(new Date(NOW - 90_000).toUTCString(), now), 'a date in the past: at once').toBe(0);
  });

  it('Ignore a Retry-After you cannot read', () => {
    for (const header of ['soon', '', 'twelve']) expect(yours.retryAfterMs(header, now), JSON.stringify(header)).toBeUndefined();
  });

  it('Clamp any Retry-After to five minutes', () => {
    expect(yours.retryAfterMs('86400', now), 'a day in seconds').toBe(yours.MAX_SERVER_DELAY_MS);
    expect(yours.retryAfterMs(new Date(NOW + 7 * 86_400_000).toUTCString(), now), 'a week away').toBe(5 * 60_000);
  });

  it('Never retry sooner than the server asked', () => {
    expect(yours.nextDelayMs(0, 10_000, policy(0))).toBe(10_000);
    expect(yours.nextDelayMs(5, 10_000, policy(0.999999)), 'the backoff is already longer').toBe(30_000);
  });

  it('Resume from the cursor: show only newer messages, each once, in order', () => {
    const answer = [{ id: 2 }, { id: 3 }, { id: 4 }, { id: 4 }, { id: 5 }];
    expect(yours.unseenMessages(3, answer)).toEqual([{ id: 4 }, { id: 5 }]);
    expect(yours.unseenMessages(9, answer)).toEqual([]);
  });
});
