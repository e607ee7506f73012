// Serves the built site: lesson pages and the live API, on 127.0.0.1:4321 unless HOST/PORT say otherwise.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`Comet Lessons needs Node 22.12 or newer; this is Node ${process.versions.node}. Run it through npm (npm start), which uses the Node that npm install put in node_modules.`);
  process.exit(1);
}
const entry = new URL('../dist/server/entry.mjs', import.meta.url);
if (!existsSync(entry)) {
  console.error('No build found in dist/. Run `npm start` (it builds first) or `npm run build`.');
  process.exit(1);
}
process.env.HOST ??= '127.0.0.1';
process.env.PORT ??= '4321';
await import(entry.href);
