/**
 * A widget that needs a connection of its own (a forever frame, an event stream) holds it only
 * while it is on screen (`IntersectionObserver`) and its tab is visible, and lets go within
 * {@link RELEASE_AFTER_MS} of leaving either; it comes back (from its own cursor) on return.
 * The first hold waits for the page's `load` event: a frame still loading would hold it back.
 * A tab being frozen (Page Lifecycle `freeze`) lets go at once.
 * Before it connects, a widget takes a slot of the browser-wide budget (`connection-slots.ts`): when
 * other tabs hold every slot, it waits (and says so) until one is given back.
 * Every tab that holds one connection less leaves one more of the browser's six for the rest.
 */
import { createConnectionSlots, type ConnectionSlots, type ReleaseSlot } from './connection-slots.ts';

/** The one budget of this page's widgets (shared with other tabs through Web Locks). */
let pageSlots: ConnectionSlots | undefined;

// #region hold-while-on-screen
/** How long a widget may be off screen or hidden before it lets go (short scrolls do not flap). */
export const RELEASE_AFTER_MS = 1_000;

export interface HoldOptions {
  hold: () => void;
  release: () => void;
  /** Called when the widget wants to connect but every slot of the browser's budget is taken by other tabs. */
  waiting?: () => void;
  slots?: ConnectionSlots;
  releaseAfterMs?: number;
  doc?: Document;
  win?: Window;
}

/** Starts watching `element`; returns the function that stops watching (it does not release). */
export function holdWhileOnScreen(
  element: Element,
  { hold, release, waiting, slots = (pageSlots ??= createConnectionSlots()), releaseAfterMs = RELEASE_AFTER_MS, doc = document, win = window }: HoldOptions,
): () => void {
  let onScreen = typeof IntersectionObserver !== 'function'; // without the API, "on screen" is assumed
  let loaded = doc.readyState === 'complete';
  let holding = false;
  let frozen = false;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  let acquiring: AbortController | undefined;
  let slot: ReleaseSlot | undefined;

  const wanted = () => loaded && onScreen && !frozen && doc.visibilityState === 'visible';
  const letGo = () => {
    holding = false;
    release();
    slot?.();
    slot = undefined;
  };
  const update = () => {
    if (wanted()) {
      clearTimeout(releaseTimer);
      releaseTimer = undefined;
      if (holding || acquiring) return;
      const attempt = (acquiring = new AbortController());
      slots.acquire(attempt.signal, waiting).then(
        (releaseSlot) => {
          if (acquiring === attempt) acquiring = undefined;
          if (attempt.signal.aborted || !wanted()) return releaseSlot(); // left meanwhile
          slot = releaseSlot;
          holding = true;
          hold();
        },
        () => {
          if (acquiring === attempt) acquiring = undefined; // aborted: the widget left before a slot was free
        },
      );
    } else {
      acquiring?.abort();
      acquiring = undefined;
      if (holding && releaseTimer === undefined) {
        releaseTimer = setTimeout(() => {
          releaseTimer = undefined;
          letGo();
        }, doc.visibilityState === 'hidden' ? 0 : releaseAfterMs);
      }
    }
  };
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
          onScreen = entries.at(-1)!.isIntersecting;
          update();
        })
      : undefined;
  observer?.observe(element);
  const onLoad = () => {
    loaded = true;
    update();
  };
  if (!loaded) win.addEventListener('load', onLoad, { once: true });
  // A tab being frozen lets go at once (its timers will not run again until it resumes).
  const onFreeze = () => {
    frozen = true;
    clearTimeout(releaseTimer);
    releaseTimer = undefined;
    acquiring?.abort();
    acquiring = undefined;
    if (holding) letGo();
  };
  const onResume = () => {
    frozen = false;
    update();
  };
  doc.addEventListener('visibilitychange', update);
  doc.addEventListener('freeze', onFreeze);
  doc.addEventListener('resume', onResume);
  update();
  return () => {
    acquiring?.abort();
    slot?.(); // the widget stops its own connection; the slot goes back to the other tabs
    slot = undefined;
    doc.removeEventListener('freeze', onFreeze);
    doc.removeEventListener('resume', onResume);
    observer?.disconnect();
    clearTimeout(releaseTimer);
    win.removeEventListener('load', onLoad);
    doc.removeEventListener('visibilitychange', update);
  };
}
// #endregion hold-while-on-screen
