import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchFigures } from '../../src/build/bench/lesson-figures.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// The "Measure it yourself" page shows the newest committed full run: its figures must be
// the ones in that file (nothing typed by hand), and every chart must be readable as text.

let server: TestServer;
let html: string;
beforeAll(async () => {
  server = await startTestServer();
  const response = await fetch(server.url('/lessons/measure-it-yourself/'));
  expect(response.status).toBe(200);
  html = await response.text();
});
afterAll(() => server?.stop());

const { text, targets, run } = benchFigures();
const pageText = () => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

describe('the benchmark lesson', () => {
  it('names the result file, its date and the machine it came from', () => {
    for (const fact of [text.file, text.date, text.node, text.openFileLimit]) expect(pageText()).toContain(fact);
    expect(pageText()).toContain(run.machine.cpuModel);
  });

  it("quotes the run's figures in its prose", () => {
    for (const figure of [text.largestHeld, text.rssPerWaiterSite, text.rssPerWaiterReference, text.naiveRatio, text.acceptedSite, text.clockJitterP99]) {
      expect(pageText()).toContain(figure);
    }
  });

  it('draws each chart as an SVG image with a title and a description listing its values', () => {
    const charts = [...html.matchAll(/<svg[^>]*role="img"[^>]*aria-labelledby="(bench-[a-z-]+)-title \1-desc"[^>]*>([\s\S]*?)<\/svg>/g)];
    expect(charts.map(([, id]) => id)).toEqual(['bench-memory', 'bench-responsiveness', 'bench-fan-out', 'bench-naive', 'bench-throughput']);
    for (const [, , svg] of charts) {
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>/);
      expect(svg).toMatch(/<desc id="[^"]+">[^<]*\d[^<]*<\/desc>/);
    }
  });

  it('lists every target with the value measured in the run', () => {
    const rows = [...html.matchAll(/<tr[^>]*>\s*<th scope="row"[^>]*>([\s\S]*?)<\/th>\s*<td[^>]*>([\s\S]*?)<\/td>/g)];
    expect(rows.map(([, goal]) => goal!.trim())).toEqual(targets.map((target) => target.goal.replace(/&/g, '&amp;').replace(/</g, '&lt;')));
    expect(rows.map(([, , measured]) => measured!.trim())).toEqual(targets.map((target) => target.measured));
  });
});
