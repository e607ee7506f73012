import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneProcessFigures } from '../../src/build/bench/one-process-figures.ts';
import { scaleOutFigures } from '../../src/build/bench/scale-out-figures.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// The scale-out lesson draws its figures from the committed one-process and scale-out runs:
// every figure on the page must be the one in those files (nothing typed by hand), and every
// chart must be readable as text.

let server: TestServer;
let html: string;
beforeAll(async () => {
  server = await startTestServer();
  const response = await fetch(server.url('/lessons/scale-out/'));
  expect(response.status).toBe(200);
  html = await response.text();
});
afterAll(() => server?.stop());

const one = oneProcessFigures();
const scale = scaleOutFigures();
const pageText = () =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

describe('the scale-out lesson', () => {
  it('shows the one-process comparison before the scaling part, with the command that reproduces it', () => {
    const text = pageText();
    const section = text.indexOf('One process first', text.indexOf('One process first') + 1); // after the table of contents
    expect(section).toBeGreaterThan(-1);
    expect(section).toBeLessThan(text.indexOf('One process is not enough', section));
    expect(text).toContain('npm run bench -- --only one-process');
    for (const fact of [one.text.file, one.text.date, one.text.node]) expect(text).toContain(fact);
  });

  it("quotes the one-process run's figures for all three servers", () => {
    const { text } = one;
    for (const figure of [text.heldPolls, text.rssSite, text.rssReference, text.rssSocketIo, text.fanOutSite, text.fanOutReference, text.fanOutSocketIo, text.fanOutSiteToReference, text.cpuSite, text.simpleSite, text.simpleReference, text.simpleSocketIo, text.delivered]) {
      expect(pageText()).toContain(figure);
    }
  });

  it("quotes the scale-out run's size, not a number typed in the page", () => {
    expect(pageText()).toContain(`${scale.text.waiters} held polls for the fan-out`);
    expect(pageText()).toContain(scale.text.delivered);
  });

  it('draws each chart as an SVG image with a title and a description listing its values', () => {
    const charts = [...html.matchAll(/<svg[^>]*role="img"[^>]*aria-labelledby="((?:one-process|scale-out)-[a-z-]+)-title \1-desc"[^>]*>([\s\S]*?)<\/svg>/g)];
    expect(charts.map(([, id]) => id)).toEqual(['one-process-memory', 'one-process-fan-out', 'one-process-cpu', 'scale-out-fan-out', 'scale-out-throughput']);
    for (const [, , svg] of charts) expect(svg).toMatch(/<desc id="[^"]+">[^<]*\d[^<]*<\/desc>/);
  });
});
