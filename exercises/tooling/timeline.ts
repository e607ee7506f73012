/**
 * learnyounode-style comparison: the same scripted clients drive the reference and the
 * learner's code under fake time, each records what happened when, and the first
 * difference is explained in the learner's words.
 */
export interface TimelineEntry {
  /** Fake milliseconds since the script started. */
  atMs: number;
  /** What happened, e.g. "A answered 1 message" or "tick 2". */
  event: string;
}

export type Timeline = TimelineEntry[];

/** Turns the first difference into a sentence about the learner's code ("your poll answered at once …"). */
export type Explain = (expected: TimelineEntry | undefined, yours: TimelineEntry | undefined) => string;

/** A fake clock reading for entries: pass `() => Date.now() - start` under fake timers. */
export function createTimelineRecorder(elapsedMs: () => number) {
  const timeline: Timeline = [];
  return {
    timeline,
    record(event: string) {
      timeline.push({ atMs: elapsedMs(), event });
    },
  };
}

/** Undefined when the timelines agree; otherwise the explanation, then both timelines side by side. */
export function compareTimelines(reference: Timeline, yours: Timeline, explain: Explain): string | undefined {
  const length = Math.max(reference.length, yours.length);
  for (let index = 0; index < length; index += 1) {
    const expected = reference[index];
    const actual = yours[index];
    if (expected?.atMs === actual?.atMs && expected?.event === actual?.event) continue;
    return [
      explain(expected, actual),
      `  expected: ${render(reference)}`,
      `  yours:    ${render(yours)}`,
    ].join('\n');
  }
  return undefined;
}

const render = (timeline: Timeline) =>
  timeline.map((entry) => `${entry.atMs} ms ${entry.event}`).join(' → ') || '(nothing happened)';

/** Throws the explanation (and both timelines) when the learner's timeline differs from the reference's. */
export function assertSameTimeline(reference: Timeline, yours: Timeline, explain: Explain): void {
  const mismatch = compareTimelines(reference, yours, explain);
  if (mismatch) throw new Error(mismatch);
}
