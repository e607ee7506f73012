import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMessageLog, type MessageLogOptions } from '../../../../src/server/chat/message-log.ts';
import { CONTRACT_MAX_MESSAGES_PER_ROOM, describeMessageStoreContract } from '../../../support/message-store-contract.ts';

const MAX_ROOMS = 3;

/** The embedded store ends a room's incarnation by evicting it: writing to MAX_ROOMS other rooms does that. */
function embeddedSetup(options: MessageLogOptions, cleanup = () => {}) {
  const store = createMessageLog({ ...options, maxRooms: MAX_ROOMS, maxMessagesPerRoom: CONTRACT_MAX_MESSAGES_PER_ROOM });
  let filler = 0;
  return {
    store,
    async resetRoom() {
      for (let i = 0; i < MAX_ROOMS; i++) await store.append({ room: `filler-${(filler += 1)}`, text: 'x', author: 'f' });
    },
    async close() {
      await store.close();
      cleanup();
    },
  };
}

describeMessageStoreContract('embedded, in memory', async () => embeddedSetup({}));

describeMessageStoreContract('embedded, with a log file', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-contract-'));
  return embeddedSetup({ dataDir }, () => rmSync(dataDir, { recursive: true, force: true }));
});
