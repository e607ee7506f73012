import { existsSync } from 'node:fs';

/** HTTP tests run against the built server; say so plainly when there is none. */
export default function requireBuild() {
  if (!existsSync('dist/server/entry.mjs')) {
    throw new Error('No build in dist/: run `npm run build` first (npm test does it for you).');
  }
}
