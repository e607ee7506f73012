// Checks for the cursor contract. Each title is an instruction; they run in order and the
// first failing one is what `npm run exercise` shows.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/http/http-error.ts';
import { loadImplementation } from '../tooling/implementation.ts';

type Module = typeof import('../../src/server/chat/cursor.ts');
const yours = await loadImplementation<Module>(new URL('../../src/server/chat/cursor.ts', import.meta.url));

/** The status a call answers with: its HttpError's, or 'no error'. */
function statusOf(call: () => unknown): number | string {
  try {
    call();
    return 'no error';
  } catch (error) {
    return error instanceof HttpError ? error.status : `a ${(error as Error).name}, not an HttpError`;
  }
}

describe('the cursor contract', () => {
  it('Format a cursor as EPOCH.ID', () => {
    expect(yours.formatCursor({ epoch: 'k3j9x2qa', id: 17 })).toBe('k3j9x2qa.17');
    expect(yours.formatCursor({ epoch: 'a', id: 0 })).toBe('a.0');
  });

  it('Parse EPOCH.ID back into the same cursor', () => {
    expect(yours.parseCursor('k3j9x2qa.17')).toEqual({ epoch: 'k3j9x2qa', id: 17 });
    for (const cursor of [{ epoch: 'z', id: 0 }, { epoch: '0123456789abcdef', id: Number.MAX_SAFE_INTEGER }]) {
      expect(yours.parseCursor(yours.formatCursor(cursor)), 'format then parse gives the cursor back').toEqual(cursor);
    }
  });

  it("Parse an older client's bare integer with the empty epoch", () => {
    expect(yours.parseCursor('42')).toEqual({ epoch: '', id: 42 });
    expect(yours.parseCursor('0')).toEqual({ epoch: '', id: 0 });
  });

  it('Answer 400 to anything that is not a cursor', () => {
    for (const raw of ['', 'abc', '.5', 'k3j9x2qa.', 'K3J9.1', 'k3j9.-1', 'k3j9.01', '007', '1.5.6', 'a b.1', '17abcdefghijklmnop.1', ' 1']) {
      expect(statusOf(() => yours.parseCursor(raw)), `parseCursor(${JSON.stringify(raw)})`).toBe(400);
    }
  });

  it('Answer 400 to an id too large to be a safe integer', () => {
    expect(statusOf(() => yours.parseCursor('abc.9999999999999999'))).toBe(400);
    expect(statusOf(() => yours.parseCursor('9999999999999999'))).toBe(400);
  });

  it('Name the parameter in the 400 message', () => {
    try {
      yours.parseCursor('nope', 'Last-Event-ID');
    } catch (error) {
      expect((error as Error).message).toContain('Last-Event-ID');
      return;
    }
    expect.unreachable('parseCursor("nope") must throw');
  });

  it('Make fresh epochs of EPOCH_LENGTH characters of a-z0-9', () => {
    let step = 0;
    const sequence = () => [0, 0.999, 0.5, 0.28][step++ % 4]!; // lowest, highest and two between
    const epoch = yours.newEpoch(sequence);
    expect(epoch).toHaveLength(yours.EPOCH_LENGTH);
    expect(epoch).toMatch(yours.EPOCH_PATTERN);
    expect(epoch.startsWith('0z'), 'random() 0 gives "0", 0.999 gives "z"').toBe(true);
    expect(yours.newEpoch()).not.toBe(yours.newEpoch());
  });
});
