/**
 * The event stream's wire format (WHATWG HTML §9.2.6, "Interpreting an event stream") and
 * what a reconnecting EventSource gets back from its `Last-Event-ID`, a cursor `EPOCH.ID`.
 */
export interface ServerSentEvent {
  /** The event's type (`event:`); the browser's default is "message". */
  event?: string;
  /** The event's id (`id:`), which the browser sends back as Last-Event-ID when it reconnects. */
  id?: string;
  /** Any text; every line of it becomes one `data:` line. */
  data: string;
  /** How long the browser waits before reconnecting (`retry:`), in ms. */
  retryMs?: number;
}

export interface RetainedMessage {
  id: number;
  text: string;
}

// #region format
/** One event as it goes on the wire, blank line included. @throws TypeError for a line break in `event` or `id`. */
export function formatEvent({ event, id, data, retryMs }: ServerSentEvent): string {
  // TODO: `retry:`, `event:` and `id:` lines when given, one `data:` line per line of data
  // (lines end with \n, \r\n or \r), then the blank line that ends the event.
  return `data: ${data}\n`;
}
// #endregion format

// #region resume
/**
 * The events that bring a reconnecting browser up to date. No Last-Event-ID: none (a new
 * client starts from now). The same epoch: every retained message after that id, as
 * `message` events. Another epoch, a bare integer or anything unreadable: one `reset` event
 * with every retained message. Each event's id is the cursor after it.
 */
export function eventsForResume(lastEventId: string | null, epoch: string, retained: readonly RetainedMessage[]): string {
  // TODO
  return retained.map((message) => formatEvent({ data: JSON.stringify(message) })).join('');
}
// #endregion resume
