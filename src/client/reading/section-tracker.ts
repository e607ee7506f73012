/**
 * The "on this page" list follows the reader: the link of the section being read (the last
 * heading above the top third of the window) gets `aria-current="true"`. Driven by an
 * IntersectionObserver, so a page that is not scrolled does no work.
 */
export function trackSections(nav: HTMLElement): void {
  const links = new Map<string, HTMLAnchorElement>();
  for (const link of nav.querySelectorAll<HTMLAnchorElement>('a[href^="#"]')) links.set(decodeURIComponent(link.hash.slice(1)), link);
  const headings = [...links.keys()].map((id) => document.getElementById(id)).filter((heading): heading is HTMLElement => heading !== null);
  if (!headings.length || !('IntersectionObserver' in window)) return;

  let current: HTMLAnchorElement | undefined;
  const update = () => {
    const line = window.innerHeight / 3;
    const above = headings.filter((heading) => heading.getBoundingClientRect().top <= line);
    const link = above.length ? links.get(above.at(-1)!.id) : undefined;
    if (link === current) return;
    current?.removeAttribute('aria-current');
    link?.setAttribute('aria-current', 'true');
    current = link;
  };
  const observer = new IntersectionObserver(update, { rootMargin: '0px 0px -66% 0px' });
  headings.forEach((heading) => observer.observe(heading));
}
