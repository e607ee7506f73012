/**
 * What a screen reader hears about a chat post: a failed or refused send is written into a
 * polite live region (`role="status"`, WAI-ARIA 1.2 §6.3.27; WCAG 2.2 SC 4.1.3 Status
 * Messages), and the region is emptied when the next send succeeds.
 */
import { PostFailedError } from './post-message.ts';

/**
 * One short sentence for a failed send, e.g. `Not sent: too many messages. Try again in 3 s.`
 * The delay (whole seconds, rounded up) is given only when the server named one (`Retry-After`).
 */
export function failedSendText(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const retryAfterMs = error instanceof PostFailedError ? error.retryAfterMs : 0;
  const wait = retryAfterMs > 0 ? ` Try again in ${Math.ceil(retryAfterMs / 1_000)} s.` : ' Try again.';
  return `Not sent: ${reason.replace(/\.$/, '')}.${wait}`;
}

/** Announces a failed send in `region` (a `role="status"` element), or clears it when `error` is absent. */
export function announceSend(region: Element, error?: unknown): void {
  region.textContent = error === undefined ? '' : failedSendText(error);
}
