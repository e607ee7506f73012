/**
 * Draws the polling widget's chart into an `<svg>`: one bar per change the page saw,
 * as tall as the change was late, against a dashed line at the polling interval.
 *
 * The drawing is made at the svg's own width in CSS pixels (one viewBox unit = one pixel), so
 * its text keeps the size the stylesheet gives it (11 px or more) on a phone as on a desk. The
 * same figures are written as rows into the `<tbody data-chart-table>` of the chart's
 * `<figure>`, if it has one, for readers who cannot hover a bar.
 */
import type { ChangeSeen } from './poll-tracker.ts';

const SVG = 'http://www.w3.org/2000/svg';
/** Width used before the svg has been laid out (CSS px). */
const FALLBACK_WIDTH = 600;
const HEIGHT = 200;
const LEFT = 44;
const RIGHT = 12;
const TOP = 14;
const BOTTOM = 28;
/** The chart shows this many of the most recent changes. */
export const CHART_CHANGES = 30;

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Seconds with at most one decimal, the way the chart and the figures write them. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A round scale ceiling at or above `ms`: 2, 5, 10, 20, 30 or 60 seconds. */
export function scaleCeilingMs(ms: number): number {
  return [2_000, 5_000, 10_000, 20_000, 30_000, 60_000].find((ceiling) => ceiling >= ms) ?? Math.ceil(ms / 60_000) * 60_000;
}

/** One sentence for the chart's accessible name. */
export function chartSummary(changes: readonly ChangeSeen[]): string {
  if (changes.length === 0) return 'How late the page saw each change: no change seen yet';
  const lateness = changes.map((change) => change.stalenessMs);
  const average = lateness.reduce((sum, ms) => sum + ms, 0) / lateness.length;
  return `How late the page saw each of ${changes.length} changes: on average ${formatSeconds(average)}, at worst ${formatSeconds(Math.max(...lateness))}`;
}

/** One bar's figures in words: the same text as its tooltip and its table row. */
function describeChange(change: ChangeSeen): string {
  return (
    `value ${change.value}: seen ${formatSeconds(change.stalenessMs)} late` +
    (change.missed > 0 ? `, ${change.missed} earlier change${change.missed > 1 ? 's' : ''} never seen` : '')
  );
}

export function drawStalenessChart(svg: SVGSVGElement, changes: readonly ChangeSeen[], intervalMs: number): void {
  const WIDTH = Math.round(svg.clientWidth) || FALLBACK_WIDTH;
  const shown = changes.slice(-CHART_CHANGES);
  const ceiling = scaleCeilingMs(Math.max(intervalMs, ...shown.map((change) => change.stalenessMs)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const y = (ms: number) => TOP + plotHeight - (ms / ceiling) * plotHeight;

  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  // The <title> names the chart for screen readers: keep it (and its id), say what it shows now.
  const title = svg.querySelector('title') ?? element('title', {});
  title.textContent = chartSummary(changes);
  svg.replaceChildren(title);
  for (const tick of [0, ceiling / 2, ceiling]) {
    svg.append(
      element('line', { class: 'grid', x1: LEFT, x2: WIDTH - RIGHT, y1: y(tick), y2: y(tick) }),
      element('text', { class: 'axis', x: LEFT - 6, y: y(tick) + 4, 'text-anchor': 'end' }, formatSeconds(tick)),
    );
  }
  svg.append(element('text', { class: 'axis', x: LEFT, y: HEIGHT - 8 }, `each bar: one change seen (last ${CHART_CHANGES})`));

  const slot = plotWidth / CHART_CHANGES;
  shown.forEach((change, index) => {
    const top = y(change.stalenessMs);
    const bar = element('rect', {
      class: change.missed > 0 ? 'bar bar-missed' : 'bar',
      x: LEFT + index * slot + slot * 0.15,
      y: top,
      width: slot * 0.7,
      height: Math.max(1, TOP + plotHeight - top),
    });
    bar.append(element('title', {}, describeChange(change)));
    svg.append(bar);
  });

  svg.append(
    element('line', { class: 'interval', x1: LEFT, x2: WIDTH - RIGHT, y1: y(intervalMs), y2: y(intervalMs) }),
    element('text', { class: 'interval-label', x: WIDTH - RIGHT, y: y(intervalMs) - 5, 'text-anchor': 'end' }, `poll interval ${formatSeconds(intervalMs)}`),
  );
  if (shown.length === 0) {
    svg.append(element('text', { class: 'axis', x: LEFT + plotWidth / 2, y: TOP + plotHeight / 2, 'text-anchor': 'middle' }, 'No change seen yet'));
  }

  const table = svg.closest('figure')?.querySelector<HTMLTableSectionElement>('tbody[data-chart-table]');
  if (table) {
    table.replaceChildren(
      ...shown.map((change) => {
        const row = document.createElement('tr');
        for (const text of [String(change.value), formatSeconds(change.stalenessMs), String(change.missed)]) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
  }
}
