/**
 * A box that scrolls sideways must be reachable by the keyboard (WCAG 2.1.1; axe's
 * "scrollable-region-focusable"). Every `[data-scroll-region]` gets a tab stop, a name and a
 * `data-scrolls` flag (which shows a "scroll sideways" hint) only while its content is wider
 * than the box, rechecked when its size changes.
 */
export function watchScrollRegions(root: ParentNode = document): void {
  const update = (box: HTMLElement) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls === box.hasAttribute('data-scrolls')) return;
    box.toggleAttribute('data-scrolls', scrolls);
    if (scrolls) {
      box.tabIndex = 0;
      if (!box.hasAttribute('aria-label') && !box.hasAttribute('aria-labelledby')) {
        box.setAttribute('aria-label', box.dataset.scrollRegion || 'Scrollable content');
      }
      if (box.tagName !== 'FIGURE') box.setAttribute('role', 'region');
    } else {
      box.removeAttribute('tabindex');
      if (box.getAttribute('role') === 'region') box.removeAttribute('role');
    }
  };
  const boxes = [...root.querySelectorAll<HTMLElement>('[data-scroll-region]')];
  if (!boxes.length) return;
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => update(entry.target as HTMLElement)));
  boxes.forEach((box) => {
    update(box);
    observer.observe(box);
  });
}
