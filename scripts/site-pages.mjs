// The pages of the built site, as paths: every address in its sitemap, plus the search page
// and an address that has no page (the 404 page). Used by the audit and the accessibility spec.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Paths ("/", "/lessons/why-comet/", …) of the site built into `buildDir` (default: BUILD_DIR or dist). */
export function sitePaths(buildDir = process.env.BUILD_DIR || 'dist') {
  const client = path.join(buildDir, 'client');
  const sitemaps = readdirSync(client).filter((name) => /^sitemap-\d+\.xml$/.test(name));
  if (!sitemaps.length) throw new Error(`No sitemap in ${client}/: run "npm run build" first.`);
  const paths = sitemaps.flatMap((name) =>
    [...readFileSync(path.join(client, name), 'utf8').matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => new URL(match[1]).pathname),
  );
  return [...paths, '/search/', '/no-such-page/'];
}
