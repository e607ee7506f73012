/**
 * Judges one of the naive widget's experiments: which of the messages it sent reached
 * this page, and for each one that did not, which flaw of the literal port lost it.
 */
export interface Delivery {
  text: string;
  /** The file's whole-second time the server answered with. */
  timestamp: number;
}

export type LossReason = 'same-second' | 'overwritten' | 'simultaneous' | 'unknown';

export interface MessageVerdict {
  text: string;
  arrived: boolean;
  timestamp?: number;
  reason?: LossReason;
  /** A sentence for the learner; for a lost message, why it was lost. */
  explanation: string;
}

/**
 * `sent` is in the order the server stored the messages, when `writeOrderKnown` (one write
 * after the other); writes sent at the same moment may be stored in either order.
 * `delivered` is what this page received while the experiment ran.
 */
export function judgeDeliveries(
  sent: readonly string[],
  delivered: readonly Delivery[],
  { writeOrderKnown = true } = {},
): MessageVerdict[] {
  const arrivedAt = new Map(delivered.map((delivery) => [delivery.text, delivery.timestamp]));
  return sent.map((text, index) => {
    const timestamp = arrivedAt.get(text);
    if (timestamp !== undefined) {
      return { text, arrived: true, timestamp, explanation: `arrived, with timestamp ${timestamp}` };
    }
    const other = sent.find((candidate) => arrivedAt.has(candidate));
    if (!writeOrderKnown && other !== undefined) {
      const second = arrivedAt.get(other)!;
      return {
        text,
        arrived: false,
        reason: 'simultaneous',
        explanation: `lost: it and “${other}” were written a few milliseconds apart, both in second ${second}; the file holds one message, and nothing newer than ${second} was ever asked for`,
      };
    }
    const later = sent.slice(index + 1).find((other) => arrivedAt.has(other));
    if (later !== undefined) {
      return {
        text,
        arrived: false,
        reason: 'overwritten',
        explanation: `lost: “${later}” replaced it in the file before the waiting request looked again (the file holds one message)`,
      };
    }
    const earlier = sent.slice(0, index).findLast((other) => arrivedAt.has(other));
    if (earlier !== undefined) {
      const second = arrivedAt.get(earlier)!;
      return {
        text,
        arrived: false,
        reason: 'same-second',
        explanation: `lost: written in second ${second}, like “${earlier}”; the page then asked only for news newer than ${second}, and file times have one-second resolution`,
      };
    }
    return {
      text,
      arrived: false,
      reason: 'unknown',
      explanation: 'lost: none of these messages arrived (did another visitor write at the same moment?)',
    };
  });
}

/** One line over all verdicts. */
export function summarize(verdicts: readonly MessageVerdict[]): string {
  const lost = verdicts.filter((verdict) => !verdict.arrived).length;
  if (lost === 0) {
    const seconds = new Set(verdicts.map((verdict) => verdict.timestamp));
    return seconds.size > 1
      ? 'Nothing was lost this time: the writes happened to fall in different seconds. Try again.'
      : 'Nothing was lost this time. Try again.';
  }
  return `${lost} of ${verdicts.length} messages lost.`;
}
