// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import mdx from '@astrojs/mdx';

// Lesson pages are prerendered (static output); API routes opt out with `prerender = false`.
export default defineConfig({
  // BUILD_DIR lets several checkouts' test runs build side by side; the default is dist/.
  outDir: process.env.BUILD_DIR || './dist',
  output: 'static',
  // Middleware mode: scripts/serve.ts owns the HTTP server, serves the built files and hands
  // the site to every API request through `locals`.
  adapter: node({ mode: 'middleware' }),
  integrations: [mdx()],
  session: false,
  server: { host: '127.0.0.1', port: 4321 },
  devToolbar: { enabled: false },
  // Fenced code in lessons follows the system's light or dark setting, like the code panels.
  markdown: {
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' }, defaultColor: false },
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
