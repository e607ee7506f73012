/** How close (in CSS pixels) to the bottom a log counts as "at the bottom", to absorb rounding. */
const AT_BOTTOM_SLACK_PX = 8;

/**
 * Whether the reader of each log is at its bottom (so the log follows new lines), kept up to date
 * by the log's own `scroll` events rather than measured on every line: measuring right after the
 * page wrote to the DOM would force a layout per line (a forced synchronous reflow).
 */
interface Follow {
  atBottom: boolean;
  /** A scroll to the bottom is booked for the next frame; scroll events until then are ours. */
  pinBooked: boolean;
}
const follows = new WeakMap<HTMLElement, Follow>();

function followOf(list: HTMLElement): Follow {
  let follow = follows.get(list);
  if (!follow) {
    const created: Follow = { atBottom: list.scrollHeight - list.scrollTop - list.clientHeight <= AT_BOTTOM_SLACK_PX, pinBooked: false };
    list.addEventListener(
      'scroll',
      () => {
        if (!created.pinBooked) created.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight <= AT_BOTTOM_SLACK_PX;
      },
      { passive: true },
    );
    follows.set(list, created);
    follow = created;
  }
  return follow;
}

/**
 * Appends a timestamped line to a widget's "on the wire" log, keeping only the last `maxLines`.
 * The log follows new lines only while the reader is at its bottom: a reader who scrolled up
 * to read an earlier line keeps it in view. While it follows, the DOM is only written here and
 * the scroll to the bottom is done once per frame (`requestAnimationFrame`), after the layout
 * the frame does anyway.
 */
export function appendWireLine(list: HTMLElement, text: string, maxLines = 30): void {
  const follow = followOf(list);
  const line = document.createElement('li');
  line.textContent = `${new Date().toLocaleTimeString(undefined, { hour12: false })}  ${text}`;
  if (follow.atBottom) {
    list.append(line);
    while (list.children.length > maxLines) list.firstElementChild!.remove();
    if (!follow.pinBooked) {
      follow.pinBooked = true;
      requestAnimationFrame(() => {
        if (follow.atBottom) list.scrollTop = list.scrollHeight;
        follow.pinBooked = false;
      });
    }
    return;
  }
  // The reader scrolled up: keep the line they read in view while older lines are dropped.
  const firstBefore = list.firstElementChild as HTMLElement | null;
  const offsetBefore = firstBefore ? firstBefore.offsetHeight : 0;
  list.append(line);
  let removedPx = 0;
  while (list.children.length > maxLines) {
    removedPx += (list.firstElementChild as HTMLElement).offsetHeight || offsetBefore;
    list.firstElementChild!.remove();
  }
  if (removedPx) list.scrollTop = Math.max(0, list.scrollTop - removedPx);
}
