/**
 * Writes `text` into `element` only when it differs from what is shown: a panel that refreshes
 * every second then costs no style or layout work for the figures that stayed the same.
 * @returns whether the element was written.
 */
export function setText(element: Element, text: string): boolean {
  if (element.textContent === text) return false;
  element.textContent = text;
  return true;
}
