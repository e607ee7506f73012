// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import { CODE_THEMES } from './src/build/code-themes.ts';
import mdx from '@astrojs/mdx';
import sitemap from '@astrojs/sitemap';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

/**
 * SITE_URL: the site's public address (scheme, host, optional port and path), used for
 * canonical links, Open Graph URLs, the sitemap and robots.txt. A build setting (read when the
 * site is built, not when it is served); see "Build settings" in the README.
 */
const DEFAULT_SITE_URL = 'http://127.0.0.1:4321/';
const siteUrl = process.env.SITE_URL || DEFAULT_SITE_URL;
try {
  if (!/^https?:$/.test(new URL(siteUrl).protocol)) throw new Error();
} catch {
  throw new Error(`SITE_URL must be an absolute http(s) address such as https://comet.example.org/; received "${siteUrl}"`);
}

/**
 * Builds the Pagefind search index over the built pages (static files: search works without a server).
 * @returns {import('astro').AstroIntegration}
 */
const pagefindIndex = () => ({
  name: 'comet-lessons:pagefind',
  hooks: {
    'astro:build:done': async ({ dir, logger }) => {
      const { index, errors } = await pagefind.createIndex({});
      if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
      const site = fileURLToPath(dir);
      const added = await index.addDirectory({ path: site });
      if (added.errors.length) throw new Error(`Pagefind could not index the site: ${added.errors.join('; ')}`);
      await index.writeFiles({ outputPath: `${site}/pagefind` });
      await pagefind.close();
      logger.info(`search index: ${added.page_count} pages`);
    },
  },
});

// Lesson pages are prerendered (static output); API routes opt out with `prerender = false`.
export default defineConfig({
  site: siteUrl,
  trailingSlash: 'ignore',
  // BUILD_DIR lets several checkouts' test runs build side by side; the default is dist/.
  outDir: process.env.BUILD_DIR || './dist',
  output: 'static',
  // Middleware mode: scripts/serve.ts owns the HTTP server, serves the built files and hands
  // the site to every API request through `locals`.
  adapter: node({ mode: 'middleware' }),
  integrations: [mdx(), sitemap({ filter: (page) => !/\/(404|search)\/?$/.test(page) }), pagefindIndex()],
  session: false,
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
  // Fenced code in lessons follows the system's light or dark setting, like the code panels.
  markdown: {
    shikiConfig: { themes: CODE_THEMES, defaultColor: false },
  },
  security: {
    // Every write endpoint checks Origin itself (src/server/http/allowed-origin.ts) and answers
    // JSON; Astro's own check would answer some of them first, in plain text.
    checkOrigin: false,
    // Astro hashes the site's own scripts into each page's CSP <meta>: nothing else may run
    // there. (Framing is refused by headers from src/server/http/security-headers.ts: <meta> cannot.)
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ],
      // The search index (Pagefind) runs as WebAssembly: that, and nothing else, is added.
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"] },
      // Shiki colours code with inline style attributes; styles cannot run code.
      styleDirective: { resources: ["'self'", "'unsafe-inline'"] },
    },
  },
  vite: {
    build: {
      rolldownOptions: {
        onwarn(warning, warn) {
          // MDX output carries a harmless module-level directive per file.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
          warn(warning);
        },
      },
    },
  },
});
