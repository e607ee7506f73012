// Preloaded into every server the bench starts (`node --import ./bench/lib/server-probe.mjs`).
// 1. Counts file stat calls, whoever makes them, so the naive loop's cost is measured from
//    the outside instead of trusted from the server's own counter.
// 2. Times every `datasync`/`sync` of a file handle (the chat log's group commit) and counts the
//    lines written to that handle since its previous sync: the log's fsync time and batch sizes,
//    measured from the outside as well.
// 3. Ends the server when the bench goes away, even if the bench was killed without
//    cleaning up: the IPC channel closes with its parent.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

let statCalls = 0;

const counted = (target, name) => {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function countedStat(...args) {
    statCalls += 1;
    return original.apply(this, args);
  };
};
for (const name of ['stat', 'lstat', 'statSync', 'lstatSync']) counted(fs, name);
for (const name of ['stat', 'lstat']) counted(fs.promises, name);
// ES module imports of node:fs and node:fs/promises are live bindings of these objects.
syncBuiltinESMExports();

/** One entry per sync of a file handle: which call, how long it took, how many lines it made durable. */
const syncs = [];
const linesSinceSync = new WeakMap();
const probeHandle = await fs.promises.open(process.execPath, 'r');
const fileHandlePrototype = Object.getPrototypeOf(probeHandle);
await probeHandle.close();
const originalWrite = fileHandlePrototype.write;
fileHandlePrototype.write = function countedWrite(data, ...rest) {
  if (ArrayBuffer.isView(data)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let lines = 0;
    for (const byte of bytes) if (byte === 0x0a) lines += 1;
    linesSinceSync.set(this, (linesSinceSync.get(this) ?? 0) + lines);
  }
  return originalWrite.call(this, data, ...rest);
};
for (const name of ['datasync', 'sync']) {
  const original = fileHandlePrototype[name];
  fileHandlePrototype[name] = async function timedSync(...args) {
    const startedAt = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      syncs.push({ method: name, ms: performance.now() - startedAt, lines: linesSinceSync.get(this) ?? 0 });
      linesSinceSync.set(this, 0);
      if (syncs.length > 100_000) syncs.splice(0, syncs.length - 100_000);
    }
  };
}

if (process.send) {
  process.on('message', (message) => {
    if (message === 'stat-calls') process.send({ statCalls });
    if (message === 'log-syncs') process.send({ logSyncs: syncs });
  });
  process.on('disconnect', () => process.exit(0));
  process.channel?.unref(); // the channel alone must not keep the server alive
}
