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
  let text = '';
  if (retryMs !== undefined) text += `retry: ${Math.max(0, Math.round(retryMs))}\n`;
  if (event !== undefined) text += `event: ${singleLine(event, 'event')}\n`;
  if (id !== undefined) text += `id: ${singleLine(id, 'id')}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

function singleLine(value: string, field: string): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`"${field}" must be one line; received ${JSON.stringify(value)}`);
  return value;
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
  if (lastEventId === null) return '';
  const match = /^([a-z0-9]{1,16})\.(0|[1-9][0-9]{0,15})$/.exec(lastEventId);
  if (!match || match[1] !== epoch) {
    const latest = retained.at(-1)?.id ?? 0;
    return formatEvent({ event: 'reset', id: `${epoch}.${latest}`, data: JSON.stringify(retained) });
  }
  const after = Number(match[2]);
  return retained
    .filter((message) => message.id > after)
    .map((message) => formatEvent({ event: 'message', id: `${epoch}.${message.id}`, data: JSON.stringify(message) }))
    .join('');
}
// #endregion resume
