import { describe, expect, it } from 'vitest';
import { judgeDeliveries, summarize } from '../../../../src/client/naive/lost-message-verdict.ts';

describe('judging a naive-chat experiment', () => {
  it('blames the one-second timestamp when the first message arrived and the second did not', () => {
    const verdicts = judgeDeliveries(['first', 'second'], [{ text: 'first', timestamp: 41 }]);
    expect(verdicts[0]).toMatchObject({ text: 'first', arrived: true, timestamp: 41 });
    expect(verdicts[1]).toMatchObject({ text: 'second', arrived: false, reason: 'same-second' });
    expect(verdicts[1]!.explanation).toMatch(/second 41.*newer than 41/);
    expect(summarize(verdicts)).toBe('1 of 2 messages lost.');
  });

  it('blames the overwrite when a later message arrived instead of an earlier one', () => {
    const verdicts = judgeDeliveries(['first', 'second'], [{ text: 'second', timestamp: 41 }]);
    expect(verdicts[0]).toMatchObject({ arrived: false, reason: 'overwritten' });
    expect(verdicts[0]!.explanation).toMatch(/“second” replaced it/);
  });

  it('names both flaws when the writes went out together and their order is unknown', () => {
    const verdicts = judgeDeliveries(['Ann', 'Bob'], [{ text: 'Ann', timestamp: 7 }], { writeOrderKnown: false });
    expect(verdicts[1]).toMatchObject({ text: 'Bob', arrived: false, reason: 'simultaneous' });
    expect(verdicts[1]!.explanation).toMatch(/both in second 7; the file holds one message/);
  });

  it('ignores deliveries of other visitors and says when nothing of ours arrived', () => {
    const verdicts = judgeDeliveries(['a', 'b'], [{ text: 'someone else', timestamp: 3 }]);
    expect(verdicts.map((verdict) => verdict.reason)).toEqual(['unknown', 'unknown']);
    expect(summarize(verdicts)).toBe('2 of 2 messages lost.');
  });

  it('says so when the writes fell in different seconds and nothing was lost', () => {
    const verdicts = judgeDeliveries(['a', 'b'], [
      { text: 'a', timestamp: 9 },
      { text: 'b', timestamp: 10 },
    ]);
    expect(verdicts.every((verdict) => verdict.arrived)).toBe(true);
    expect(summarize(verdicts)).toMatch(/different seconds\. Try again\./);
  });
});
