// The chat API as the bench speaks it (the same on the site and on the reference):
// GET /api/chat/messages?room=R&after=CURSOR long polls, POST /api/chat/messages writes.
// Cursors are opaque `EPOCH.ID` strings sent back as received; `0.0` is a room before its first message.
import { sleep } from './server-process.mjs';

/** The start of a response body for an error message, on one line. */
export const excerpt = (body) => body.replace(/\s+/g, ' ').slice(0, 120);

/** The cursor of a room that had no message yet: every message of the room follows it. */
export const EMPTY_ROOM_CURSOR = '0.0';

/** The cursor that follows a stored message (the answer to a POST). */
export const cursorAfter = (message) => `${message.epoch}.${message.id}`;

/** The id part of a cursor, to compare positions within one incarnation. */
export const cursorId = (cursor) => Number(cursor.slice(cursor.lastIndexOf('.') + 1));

export function pollPath(room, after, timeoutMs) {
  const timeout = timeoutMs === undefined ? '' : `&timeout=${timeoutMs}`;
  return after === undefined ? `/api/chat/messages?room=${room}` : `/api/chat/messages?room=${room}&after=${after}${timeout}`;
}

/** POST one message; resolves with the raw response (201 and the stored message, normally). */
export function postMessage(connection, room, text) {
  return connection.request({
    method: 'POST',
    path: '/api/chat/messages',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, author: 'bench', room }),
  });
}

/**
 * Keeps one long poll waiting on `connection` until `shouldStop()`: each answer (news or
 * the empty answer after the poll timeout) is followed at once by the next poll, as a real
 * client does. Counts answers and failures in `counters`.
 */
export function holdPoll(connection, room, counters, shouldStop) {
  let after = EMPTY_ROOM_CURSOR;
  const poll = () => {
    if (shouldStop() || connection.closed) return;
    connection.request({ path: pollPath(room, after) }).then(
      (response) => {
        counters.answers += 1;
        if (response.status === 200) {
          after = JSON.parse(response.body).cursor;
          poll();
        } else {
          counters.refused += 1;
          counters.lastRefusal = `${response.status} ${excerpt(response.body)}`;
          setTimeout(poll, 1_000); // refused (503/429): back off as a polite client would
        }
      },
      () => {
        if (!shouldStop()) counters.failed += 1;
      },
    );
  };
  poll();
}

export const newCounters = () => ({ answers: 0, refused: 0, failed: 0, lastRefusal: undefined });

/** Polls /api/stats until `gauge` reaches `atLeast` (or falls to `atMost`), or the time runs out. */
export async function waitForGauge(server, gauge, { atLeast, atMost, timeoutMs }) {
  const deadline = performance.now() + timeoutMs;
  let value = NaN;
  for (;;) {
    value = (await server.stats()).gauges[gauge] ?? NaN;
    if (atLeast !== undefined && value >= atLeast) return value;
    if (atMost !== undefined && value <= atMost) return value;
    if (performance.now() > deadline) return value;
    await sleep(100);
  }
}

/** A few requests of every kind, so that the server has loaded and compiled its code before we measure. */
export async function warmUp(connection, { lessonPath } = {}) {
  for (let i = 0; i < 5; i += 1) {
    await connection.request({ path: '/api/stats' });
    await connection.request({ path: pollPath('warm-up') });
    await postMessage(connection, 'warm-up', `warm-up ${i}`);
    await connection.request({ path: pollPath('warm-up', EMPTY_ROOM_CURSOR) });
    await connection.request({ path: pollPath('warm-up-empty', EMPTY_ROOM_CURSOR, 1) }); // waits 1 ms, then times out
    if (lessonPath) await connection.request({ path: lessonPath });
  }
}
