/**
 * A widget that needs a connection of its own (a forever frame, an event stream) holds it only
 * while it is on screen (`IntersectionObserver`) and its tab is visible, and lets go within
 * {@link RELEASE_AFTER_MS} of leaving either; it comes back (from its own cursor) on return.
 * The first hold waits for the page's `load` event: a frame still loading would hold it back.
 * A tab being frozen (Page Lifecycle `freeze`) lets go at once.
 * Every tab that holds one connection less leaves one more of the browser's six for the rest.
 */
// #region hold-while-on-screen
/** How long a widget may be off screen or hidden before it lets go (short scrolls do not flap). */
export const RELEASE_AFTER_MS = 1_000;

export interface HoldOptions {
  hold: () => void;
  release: () => void;
  releaseAfterMs?: number;
  doc?: Document;
  win?: Window;
}

/** Starts watching `element`; returns the function that stops watching (it does not release). */
export function holdWhileOnScreen(element: Element, { hold, release, releaseAfterMs = RELEASE_AFTER_MS, doc = document, win = window }: HoldOptions): () => void {
  let onScreen = typeof IntersectionObserver !== 'function'; // without the API, "on screen" is assumed
  let loaded = doc.readyState === 'complete';
  let holding = false;
  let frozen = false;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;

  const update = () => {
    const wanted = loaded && onScreen && !frozen && doc.visibilityState === 'visible';
    if (wanted) {
      clearTimeout(releaseTimer);
      releaseTimer = undefined;
      if (!holding) {
        holding = true;
        hold();
      }
    } else if (holding && releaseTimer === undefined) {
      releaseTimer = setTimeout(() => {
        releaseTimer = undefined;
        holding = false;
        release();
      }, doc.visibilityState === 'hidden' ? 0 : releaseAfterMs);
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
    if (holding) {
      holding = false;
      release();
    }
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
    doc.removeEventListener('freeze', onFreeze);
    doc.removeEventListener('resume', onResume);
    observer?.disconnect();
    clearTimeout(releaseTimer);
    win.removeEventListener('load', onLoad);
    doc.removeEventListener('visibilitychange', update);
  };
}
// #endregion hold-while-on-screen
