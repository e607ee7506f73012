/**
 * Ties a connection to the page's life: reconnect at once when the browser comes back
 * online, let go of the server when the tab has been hidden for a while, pick up again
 * (from the cursor) when it is visible.
 */
export interface Resumable {
  start(): void;
  stop(reason?: string): void;
  retryNow?(): void;
  readonly running: boolean;
}

export const HIDDEN_STOP_AFTER_MS = 60_000;

export interface PageLifecycleOptions {
  hiddenStopAfterMs?: number;
  /** Where `online` fires (the window). */
  win?: EventTarget;
  /** Where `visibilitychange` fires (the document). */
  doc?: EventTarget & { readonly visibilityState: DocumentVisibilityState };
}

export function bindToPageLifecycle(
  connection: Resumable,
  { hiddenStopAfterMs = HIDDEN_STOP_AFTER_MS, win = window, doc = document }: PageLifecycleOptions = {},
): () => void {
  let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
  let stoppedWhileHidden = false;

  const onOnline = () => connection.retryNow?.();
  const onVisibility = () => {
    clearTimeout(hiddenTimer);
    if (doc.visibilityState === 'hidden') {
      hiddenTimer = setTimeout(() => {
        if (!connection.running) return;
        stoppedWhileHidden = true;
        connection.stop('the page has been hidden for a while');
      }, hiddenStopAfterMs);
    } else if (stoppedWhileHidden) {
      stoppedWhileHidden = false;
      connection.start();
    }
  };
  win.addEventListener('online', onOnline);
  doc.addEventListener('visibilitychange', onVisibility);
  return () => {
    clearTimeout(hiddenTimer);
    win.removeEventListener('online', onOnline);
    doc.removeEventListener('visibilitychange', onVisibility);
  };
}
