/**
 * Mounts Pagefind's search box (its index is built with the site into /pagefind/, so search
 * runs in the browser, without a server). A `?q=` in the address starts a search, so a search
 * can be linked.
 */
interface PagefindUIConstructor {
  new (options: { element: HTMLElement; showSubResults?: boolean; showImages?: boolean; autofocus?: boolean }): { triggerSearch(term: string): void };
}

export async function mountSearch(container: HTMLElement): Promise<void> {
  const script = document.createElement('script');
  script.src = '/pagefind/pagefind-ui.js';
  const loaded = new Promise<void>((resolve, reject) => {
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('the search index could not be loaded'));
  });
  document.head.append(script);
  try {
    await loaded;
  } catch (error) {
    container.textContent = `Search is not available: ${(error as Error).message}.`;
    return;
  }
  const PagefindUI = (window as unknown as { PagefindUI: PagefindUIConstructor }).PagefindUI;
  const ui = new PagefindUI({ element: container, showSubResults: true, showImages: false });
  labelSearchInput(container);
  const query = new URLSearchParams(location.search).get('q');
  if (query) ui.triggerSearch(query);
}

/** Pagefind names its input with a title only: give it a proper accessible name (WCAG 4.1.2). */
function labelSearchInput(container: HTMLElement): void {
  const label = (input: HTMLInputElement | null) => input?.setAttribute('aria-label', 'Search the lessons');
  const input = container.querySelector<HTMLInputElement>('input');
  if (input) return void label(input);
  const observer = new MutationObserver(() => {
    const added = container.querySelector<HTMLInputElement>('input');
    if (!added) return;
    label(added);
    observer.disconnect();
  });
  observer.observe(container, { childList: true, subtree: true });
}
