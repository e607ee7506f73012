/**
 * Draws the last minute of poll attempts as a strip: one bar per request (from start to
 * end, coloured by how it ended), and a dashed line for the backoff chosen after a failure.
 *
 * Drawing is memoised per `<svg>`: the strip is rebuilt only when an attempt ended, a poll
 * started or stopped, or the clock moved by a whole step (`TIMELINE_STEP_MS`, one tenth of
 * the scale's 10 s gridline), so a caller may ask for a redraw as often as it likes and an idle
 * page does almost no work. Each real redraw bumps the svg's `data-redraws` counter, which
 * tests read.
 *
 * The figures are also written as text into the element named by the svg's
 * `aria-describedby` (if any), so they can be read without hovering a bar.
 */
import type { PollAttempt, PollOutcome } from '../long-poll/long-poll-client.ts';

const SVG = 'http://www.w3.org/2000/svg';
export const TIMELINE_WINDOW_MS = 60_000;
/** The clock is read in steps of this many milliseconds (10 px on the 600-unit wide strip). */
export const TIMELINE_STEP_MS = 1_000;
/** Width of the drawing in viewBox units. */
const WIDTH = 600;

const COLOUR: Record<PollOutcome, string> = {
  messages: 'var(--ok)',
  empty: 'var(--ok)',
  aborted: 'var(--muted)',
  'network-error': 'var(--bad)',
  'server-error': 'var(--bad)',
  'client-error': 'var(--bad)',
  'retry-after': 'var(--accent)',
};

/** What the last drawing of each strip showed; an unchanged scene is not drawn again. */
const lastScene = new WeakMap<SVGSVGElement, string>();

/**
 * Draws `attempts` (and the poll in flight since `inFlightSince`, epoch ms) as they stand at
 * `now` (epoch ms). Returns true when the strip was redrawn, false when nothing had changed.
 */
export function drawAttemptTimeline(
  svg: SVGSVGElement,
  attempts: readonly PollAttempt[],
  inFlightSince: number | undefined,
  now = Date.now(),
): boolean {
  const steppedNow = Math.floor(now / TIMELINE_STEP_MS) * TIMELINE_STEP_MS;
  const last = attempts.at(-1);
  const scene = `${attempts.length}|${last?.startedAt}|${last?.endedAt}|${inFlightSince}|${steppedNow}`;
  if (lastScene.get(svg) === scene) return false;
  lastScene.set(svg, scene);

  const x = (at: number) => WIDTH - ((steppedNow - at) / TIMELINE_WINDOW_MS) * WIDTH;
  const shapes: SVGElement[] = [];
  const shape = (name: string, attributes: Record<string, string | number>, label?: string) => {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (label) {
      const title = document.createElementNS(SVG, 'title');
      title.textContent = label;
      element.append(title);
    }
    shapes.push(element);
  };

  for (let second = 0; second <= 60; second += 10) {
    const at = WIDTH - (second / 60) * WIDTH;
    shape('line', { x1: at, x2: at, y1: 0, y2: 40, stroke: 'currentColor', 'stroke-opacity': 0.12 });
  }
  const visible = attempts.filter((attempt) => attempt.endedAt + (attempt.delayMs ?? 0) >= steppedNow - TIMELINE_WINDOW_MS);
  for (const attempt of visible) {
    const start = Math.max(0, x(attempt.startedAt));
    const end = Math.max(start + 2, x(attempt.endedAt));
    shape('rect', { x: start, y: 10, width: end - start, height: 16, rx: 2, fill: COLOUR[attempt.outcome] }, describeAttempt(attempt));
    if (attempt.delayMs) {
      shape('line', { x1: end, x2: Math.min(WIDTH, x(attempt.endedAt + attempt.delayMs)), y1: 18, y2: 18, stroke: 'var(--accent)', 'stroke-width': 2, 'stroke-dasharray': '3 3' }, `backoff ${(attempt.delayMs / 1000).toFixed(1)} s`);
    }
  }
  if (inFlightSince !== undefined) {
    const start = Math.max(0, x(inFlightSince));
    shape('rect', { x: start, y: 10, width: Math.max(2, WIDTH - start), height: 16, rx: 2, fill: 'var(--ok)', opacity: 0.45 }, 'in flight');
  }
  svg.replaceChildren(...shapes);
  svg.dataset.redraws = String(Number(svg.dataset.redraws ?? 0) + 1);

  const summaryId = svg.getAttribute('aria-describedby');
  const summary = summaryId ? svg.ownerDocument.getElementById(summaryId) : null;
  if (summary) {
    const text = summarise(visible, inFlightSince !== undefined);
    if (summary.textContent !== text) summary.textContent = text;
  }
  return true;
}

function describeAttempt(attempt: PollAttempt): string {
  return `${attempt.outcome}${attempt.status ? ` (${attempt.status})` : ''}, ${((attempt.endedAt - attempt.startedAt) / 1000).toFixed(1)} s`;
}

/** The strip in one sentence: how many polls were answered and failed, and the last failure. */
export function summarise(attempts: readonly PollAttempt[], inFlight: boolean): string {
  const answered = attempts.filter((attempt) => attempt.outcome === 'messages' || attempt.outcome === 'empty').length;
  const failures = attempts.filter((attempt) => attempt.outcome !== 'messages' && attempt.outcome !== 'empty' && attempt.outcome !== 'aborted');
  const parts = [`Last minute: ${answered} poll${answered === 1 ? '' : 's'} answered, ${failures.length} failed`];
  const lastFailure = failures.at(-1);
  if (lastFailure) {
    parts.push(`last failure: ${describeAttempt(lastFailure)}${lastFailure.delayMs ? `, then a backoff of ${(lastFailure.delayMs / 1000).toFixed(1)} s` : ''}`);
  }
  parts.push(inFlight ? 'a poll is open now.' : 'no poll is open now.');
  return parts.join('; ');
}
