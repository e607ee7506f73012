/**
 * Draws the last minute of poll attempts as a strip: one bar per request (from start to
 * end, coloured by how it ended), and a dashed line for the backoff chosen after a failure.
 */
import type { PollAttempt, PollOutcome } from '../long-poll/long-poll-client.ts';

const SVG = 'http://www.w3.org/2000/svg';
export const TIMELINE_WINDOW_MS = 60_000;

const COLOUR: Record<PollOutcome, string> = {
  messages: 'var(--ok)',
  empty: 'var(--ok)',
  aborted: 'var(--muted)',
  'network-error': 'var(--bad)',
  'server-error': 'var(--bad)',
  'client-error': 'var(--bad)',
  'retry-after': 'var(--accent)',
};

export function drawAttemptTimeline(
  svg: SVGSVGElement,
  attempts: readonly PollAttempt[],
  inFlightSince: number | undefined,
  now = Date.now(),
): void {
  const width = 600;
  const x = (at: number) => width - ((now - at) / TIMELINE_WINDOW_MS) * width;
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
    const at = width - (second / 60) * width;
    shape('line', { x1: at, x2: at, y1: 0, y2: 40, stroke: 'currentColor', 'stroke-opacity': 0.12 });
    const text = second === 0 ? 'now' : `−${second} s`;
    shape('text', { x: Math.min(Math.max(at, 14), width - 14), y: 52, 'text-anchor': 'middle', 'font-size': 10, fill: 'currentColor' });
    shapes.at(-1)!.textContent = text;
  }
  for (const attempt of attempts) {
    if (attempt.endedAt + (attempt.delayMs ?? 0) < now - TIMELINE_WINDOW_MS) continue;
    const start = Math.max(0, x(attempt.startedAt));
    const end = Math.max(start + 2, x(attempt.endedAt));
    const label = `${attempt.outcome}${attempt.status ? ` (${attempt.status})` : ''}, ${((attempt.endedAt - attempt.startedAt) / 1000).toFixed(1)} s`;
    shape('rect', { x: start, y: 10, width: end - start, height: 16, rx: 2, fill: COLOUR[attempt.outcome] }, label);
    if (attempt.delayMs) {
      shape('line', { x1: end, x2: Math.min(width, x(attempt.endedAt + attempt.delayMs)), y1: 18, y2: 18, stroke: 'var(--accent)', 'stroke-width': 2, 'stroke-dasharray': '3 3' }, `backoff ${(attempt.delayMs / 1000).toFixed(1)} s`);
    }
  }
  if (inFlightSince !== undefined) {
    const start = Math.max(0, x(inFlightSince));
    shape('rect', { x: start, y: 10, width: Math.max(2, width - start), height: 16, rx: 2, fill: 'var(--ok)', opacity: 0.45 }, 'in flight');
  }
  svg.replaceChildren(...shapes);
}
