// Checks for the event stream format. Each title is an instruction; they run in order and
// the first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('./solution.ts');
const yours = await loadImplementation<Module>(new URL('./solution.ts', import.meta.url));

/** The browser's side, per WHATWG HTML §9.2.6, reduced to what these checks need. */
function parseStream(text: string) {
  const events: { type: string; data: string; lastEventId: string; retry?: number }[] = [];
  let data: string[] = [];
  let type = '';
  let lastEventId = '';
  let retry: number | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length) events.push({ type: type || 'message', data: data.join('\n'), lastEventId, retry });
      data = [];
      type = '';
      retry = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') type = value;
    else if (field === 'id') lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  return events;
}

const retained = [
  { id: 1, text: 'first' },
  { id: 2, text: 'second' },
  { id: 3, text: 'third' },
];

describe('the event stream', () => {
  it('End every event with a blank line', () => {
    expect(yours.formatEvent({ data: 'hello' })).toBe('data: hello\n\n');
  });

  it('Write event, id and data lines', () => {
    expect(yours.formatEvent({ event: 'message', id: 'k3j9x2qa.17', data: '{"id":17}' })).toBe(
      'event: message\nid: k3j9x2qa.17\ndata: {"id":17}\n\n',
    );
  });

  it('Split multi-line data into one data line per line', () => {
    const wire = yours.formatEvent({ data: 'one\ntwo\r\nthree\rfour' });
    expect(wire).toBe('data: one\ndata: two\ndata: three\ndata: four\n\n');
    expect(parseStream(wire)[0]?.data, 'the browser joins them back with \\n').toBe('one\ntwo\nthree\nfour');
  });

  it('Send retry first, as whole milliseconds', () => {
    const wire = yours.formatEvent({ retryMs: 2_000.4, event: 'refused', data: '{"retryAfterMs":2000}' });
    expect(wire).toBe('retry: 2000\nevent: refused\ndata: {"retryAfterMs":2000}\n\n');
    expect(parseStream(wire)[0]).toMatchObject({ type: 'refused', retry: 2_000 });
  });

  it('Refuse an event name or id with a line break in it (TypeError)', () => {
    expect(() => yours.formatEvent({ event: 'message\ndata: forged', data: 'x' })).toThrow(TypeError);
    expect(() => yours.formatEvent({ id: '1\r', data: 'x' })).toThrow(TypeError);
  });

  it('Replay nothing to a browser without Last-Event-ID', () => {
    expect(yours.eventsForResume(null, 'k3j9x2qa', retained)).toBe('');
  });

  it('Replay only the messages after Last-Event-ID, each with its cursor as id', () => {
    const events = parseStream(yours.eventsForResume('k3j9x2qa.1', 'k3j9x2qa', retained));
    expect(events.map((event) => [event.type, event.lastEventId, JSON.parse(event.data).text])).toEqual([
      ['message', 'k3j9x2qa.2', 'second'],
      ['message', 'k3j9x2qa.3', 'third'],
    ]);
    expect(yours.eventsForResume('k3j9x2qa.3', 'k3j9x2qa', retained), 'up to date: nothing').toBe('');
  });

  it('Send one reset with every retained message for another epoch, a bare integer or garbage', () => {
    for (const lastEventId of ['oldepoch.2', '2', 'garbage']) {
      const events = parseStream(yours.eventsForResume(lastEventId, 'k3j9x2qa', retained));
      expect(events, lastEventId).toHaveLength(1);
      expect(events[0]!.type).toBe('reset');
      expect(events[0]!.lastEventId).toBe('k3j9x2qa.3');
      expect(JSON.parse(events[0]!.data)).toEqual(retained);
    }
  });
});
