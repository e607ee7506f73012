// Preloaded into every server the bench starts (`node --import ./bench/lib/server-probe.mjs`).
// 1. Counts file stat calls, whoever makes them, so the naive loop's cost is measured from
//    the outside instead of trusted from the server's own counter.
// 2. Ends the server when the bench goes away, even if the bench was killed without
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

if (process.send) {
  process.on('message', (message) => {
    if (message === 'stat-calls') process.send({ statCalls });
  });
  process.on('disconnect', () => process.exit(0));
  process.channel?.unref(); // the channel alone must not keep the server alive
}
