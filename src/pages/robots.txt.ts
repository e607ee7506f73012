import type { APIRoute } from 'astro';

/** robots.txt: everything may be crawled except the API; the sitemap's address comes from SITE_URL. */
export const GET = (({ site }) => {
  const sitemap = new URL('sitemap-index.xml', site).href;
  return new Response(`User-agent: *\nDisallow: /api/\n\nSitemap: ${sitemap}\n`, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}) satisfies APIRoute;
