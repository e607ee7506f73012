import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTHOR_MAX_CHARS, TEXT_MAX_CHARS } from '../../../../src/server/chat/chat-message.ts';
import { parseChatPost } from '../../../../src/server/chat/chat-input.ts';
import { CHAT_LOG_FILE, createMessageLog, RETAINED_MAX_BYTES, WORST_CASE_LINE_BYTES } from '../../../../src/server/chat/message-log.ts';
import { MAX_MESSAGES_PER_ROOM, MAX_ROOMS } from '../../../../src/server/chat/room-table.ts';

// The longest line a record can take bounds the log on disk. Each candidate text is the longest
// the validation accepts, made of the character that costs the most bytes in JSON per UTF-16 unit.
describe('the worst-case log line', () => {
  it(`is at most WORST_CASE_LINE_BYTES (${WORST_CASE_LINE_BYTES}) and that bound is reached`, async () => {
    const candidates = ['€', '"', '\\', '\n', '\t', '😀', 'x', '\u2028', '<'];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-line-size-'));
    try {
      const log = createMessageLog({ dataDir, now: () => 8_640_000_000_000_000 }); // the latest date a Date can hold
      let worst = 0;
      for (const [index, unit] of candidates.entries()) {
        const fill = (chars: number) => unit.repeat(Math.floor(chars / unit.length));
        let draft;
        try {
          draft = parseChatPost({ text: fill(TEXT_MAX_CHARS), author: fill(AUTHOR_MAX_CHARS), room: 'r'.repeat(32) });
        } catch {
          continue; // a character the chat refuses
        }
        draft.idempotencyKey = `${index}`.padEnd(64, 'k');
        await log.append(draft);
      }
      await log.close();
      for (const line of readFileSync(path.join(dataDir, CHAT_LOG_FILE), 'utf8').split('\n').filter(Boolean)) {
        worst = Math.max(worst, Buffer.byteLength(`${line}\n`));
      }
      // Ids grow to at most 16 digits; the measured ones have 1: add the difference.
      worst += 15;
      expect(worst).toBeLessThanOrEqual(WORST_CASE_LINE_BYTES);
      expect(worst).toBe(WORST_CASE_LINE_BYTES); // the constant is this measurement
      expect(RETAINED_MAX_BYTES).toBe(MAX_ROOMS * MAX_MESSAGES_PER_ROOM * WORST_CASE_LINE_BYTES);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
