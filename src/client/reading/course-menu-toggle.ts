/**
 * On a phone the course menu sits behind a button: the button opens and closes it
 * (`aria-expanded`), and Escape closes it and gives the focus back to the button.
 */
export function bindCourseMenu(panel: HTMLElement): void {
  const button = panel.querySelector<HTMLButtonElement>('.course-menu-button');
  if (!button) return;
  const setOpen = (open: boolean) => {
    panel.toggleAttribute('data-open', open);
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => setOpen(!panel.hasAttribute('data-open')));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && panel.hasAttribute('data-open') && getComputedStyle(button).display !== 'none') {
      setOpen(false);
      button.focus();
    }
  });
}
