/** How close (in CSS pixels) to the bottom a log counts as "at the bottom", to absorb rounding. */
const AT_BOTTOM_SLACK_PX = 8;

/**
 * Appends a timestamped line to a widget's "on the wire" log, keeping only the last `maxLines`.
 * The log follows new lines only while the reader is at its bottom: a reader who scrolled up
 * to read an earlier line keeps it in view.
 */
export function appendWireLine(list: HTMLElement, text: string, maxLines = 30): void {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight <= AT_BOTTOM_SLACK_PX;
  const line = document.createElement('li');
  line.textContent = `${new Date().toLocaleTimeString(undefined, { hour12: false })}  ${text}`;
  const firstBefore = list.firstElementChild as HTMLElement | null;
  const offsetBefore = firstBefore ? firstBefore.offsetHeight : 0;
  list.append(line);
  let removedPx = 0;
  while (list.children.length > maxLines) {
    removedPx += (list.firstElementChild as HTMLElement).offsetHeight || offsetBefore;
    list.firstElementChild!.remove();
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
  else if (removedPx) list.scrollTop = Math.max(0, list.scrollTop - removedPx); // keep the same line in view
}
