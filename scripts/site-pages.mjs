// The pages of the built site, as paths: every prerendered page (each index.html under the
// build's client folder), plus an address that has no page (answered by the 404 page). Used by
// the audit script and the accessibility spec.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Paths ("/", "/lessons/why-comet/", …) of the site built into `buildDir` (default: BUILD_DIR or dist). */
export function sitePaths(buildDir = process.env.BUILD_DIR || 'dist') {
  const client = path.join(buildDir, 'client');
  if (!existsSync(client)) throw new Error(`No build in ${buildDir}/: run "npm run build" first.`);
  const paths = readdirSync(client, { recursive: true })
    .map(String)
    .filter((file) => file === 'index.html' || file.endsWith(`${path.sep}index.html`))
    .map((file) => `/${path.dirname(file) === '.' ? '' : `${path.dirname(file).split(path.sep).join('/')}/`}`)
    .sort();
  return [...paths, '/no-such-page/'];
}
