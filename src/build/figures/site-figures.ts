import { Backoff } from '../../client/backoff.ts';
import { WATCHDOG_INTERVALS } from '../../client/clock/forever-frame-client.ts';
import { RETRY_DELAY_MS } from '../../client/naive/naive-chat-client.ts';
import { CounterPoller, MAX_INTERVAL_MS, MIN_INTERVAL_MS } from '../../client/polling/counter-poller.ts';
import { BURST_SECONDS } from '../../server/chat/chat-handler.ts';
import { NAIVE_MESSAGE_MAX_CHARS, MAX_WAITS_PER_CLIENT } from '../../server/naive/naive-backend.ts';
import { MAX_MESSAGES_PER_ROOM, MAX_ROOMS, ROOM_IDLE_MS } from '../../server/chat/room-table.ts';
import { FRAME_MAX_BYTES, FRAME_PADDING_BYTES, TICK_INTERVAL_MS } from '../../server/clock/forever-frame-stream.ts';
import { readConfig } from '../../server/config.ts';
import { YOUNG_GENERATION_SEMI_SPACE_MIB } from '../../server/runtime-flags.ts';
import { SEND_TIMEOUT_MS } from '../../../scripts/api-edge.ts';
import { WAITER_RETRY_AFTER_SECONDS } from '../../server/limits/waiter-quota.ts';
import { IDLE_BATCH_SIZE, IDLE_HOLD_MS } from '../../server/naive/idle-load.ts';
import { CHECK_INTERVAL_MS, WAIT_CAP_MS } from '../../server/naive/wait-for-newer-file.ts';
import { CHANGE_MAX_DELAY_MS, CHANGE_MIN_DELAY_MS, IDLE_AFTER_MS } from '../../server/polling/changing-counter.ts';
import { SSE_STREAMS_PER_CLIENT } from '../../server/sse/chat-events-handler.ts';
import {
  SSE_HEARTBEAT_MS,
  SSE_MAX_BYTES,
  SSE_MAX_DURATION_MS,
  SSE_MAX_QUEUED_BYTES,
  SSE_RETRY_MS,
} from '../../server/sse/chat-event-stream.ts';
import { formatFigureValue, type FigureUnit } from './format-figure.ts';

/**
 * Every figure a lesson states about this site, read from the constant or the default setting
 * that the code itself uses, so that prose, diagrams and captions cannot drift from the code.
 * Lessons print them with `<Figure of="name" />` (or `siteFigure(name)` inside components);
 * `tests/unit/content/typed-figures.test.ts` fails when a lesson types one by hand.
 *
 * Each entry: the value in its unit (`ms`, `bytes`, `count`, `per-second`, `times`) and where it
 * is defined, for readers of this file.
 */
const defaults = readConfig({});
const backoff = new Backoff();

const figure = (value: number, unit: FigureUnit, definedBy: string) => ({ value, unit, definedBy });

export const SITE_FIGURES = {
  // The long-poll chat (src/server/config.ts unless noted)
  pollTimeout: figure(defaults.pollTimeoutMs, 'ms', 'POLL_TIMEOUT_MS'),
  maxWaitersPerClient: figure(defaults.maxChatWaitersPerClient, 'count', 'MAX_WAITERS_PER_CLIENT'),
  maxWaiters: figure(defaults.maxChatWaiters, 'count', 'MAX_WAITERS'),
  waiterRetryAfter: figure(WAITER_RETRY_AFTER_SECONDS * 1_000, 'ms', 'WAITER_RETRY_AFTER_SECONDS'),
  postsPerSecond: figure(defaults.postsPerSecond, 'per-second', 'POSTS_PER_SECOND'),
  postBurst: figure(defaults.postsPerSecond * BURST_SECONDS, 'count', 'POSTS_PER_SECOND × BURST_SECONDS'),
  messageMaxChars: figure(defaults.messageMaxChars, 'count', 'MESSAGE_MAX_CHARS'),
  bodyMaxBytes: figure(defaults.bodyMaxBytes, 'bytes', 'BODY_MAX_BYTES'),
  messagesPerRoom: figure(MAX_MESSAGES_PER_ROOM, 'count', 'MAX_MESSAGES_PER_ROOM'),
  maxRooms: figure(MAX_ROOMS, 'count', 'MAX_ROOMS'),
  roomIdle: figure(ROOM_IDLE_MS, 'ms', 'ROOM_IDLE_MS'),
  // Reconnection (src/client)
  backoffInitial: figure(backoff.initialMs, 'ms', 'Backoff initialMs'),
  backoffMax: figure(backoff.maxMs, 'ms', 'Backoff maxMs'),
  watchdogIntervals: figure(WATCHDOG_INTERVALS, 'times', 'WATCHDOG_INTERVALS'),
  // The forever frame
  tickInterval: figure(TICK_INTERVAL_MS, 'ms', 'TICK_INTERVAL_MS'),
  frameMaxBytes: figure(FRAME_MAX_BYTES, 'bytes', 'FRAME_MAX_BYTES'),
  framePaddingBytes: figure(FRAME_PADDING_BYTES, 'bytes', 'FRAME_PADDING_BYTES'),
  maxClockStreamsPerClient: figure(defaults.maxClockStreamsPerClient, 'count', 'MAX_CLOCK_STREAMS_PER_CLIENT'),
  maxClockStreams: figure(defaults.maxClockStreams, 'count', 'MAX_CLOCK_STREAMS'),
  // The event stream
  sseStreamsPerClient: figure(SSE_STREAMS_PER_CLIENT, 'count', 'SSE_STREAMS_PER_CLIENT'),
  maxSseStreams: figure(defaults.maxSseStreams, 'count', 'MAX_SSE_STREAMS'),
  sseHeartbeat: figure(SSE_HEARTBEAT_MS, 'ms', 'SSE_HEARTBEAT_MS'),
  sseMaxDuration: figure(SSE_MAX_DURATION_MS, 'ms', 'SSE_MAX_DURATION_MS'),
  sseMaxBytes: figure(SSE_MAX_BYTES, 'bytes', 'SSE_MAX_BYTES'),
  sseMaxQueuedBytes: figure(SSE_MAX_QUEUED_BYTES, 'bytes', 'SSE_MAX_QUEUED_BYTES'),
  // The server process (src/server/runtime-flags.ts, scripts/api-edge.ts)
  sendTimeout: figure(SEND_TIMEOUT_MS, 'ms', 'SEND_TIMEOUT_MS'),
  youngGenerationSemiSpace: figure(YOUNG_GENERATION_SEMI_SPACE_MIB * 1024 * 1024, 'bytes', 'YOUNG_GENERATION_SEMI_SPACE_MIB'),
  sseRetry: figure(SSE_RETRY_MS, 'ms', 'SSE_RETRY_MS'),
  // The naive busy loop
  naiveCheckInterval: figure(CHECK_INTERVAL_MS, 'ms', 'CHECK_INTERVAL_MS'),
  naiveChecksPerSecond: figure(1_000 / CHECK_INTERVAL_MS, 'per-second', '1 s / CHECK_INTERVAL_MS'),
  naiveWaitCap: figure(WAIT_CAP_MS, 'ms', 'WAIT_CAP_MS'),
  naiveRetryDelay: figure(RETRY_DELAY_MS, 'ms', 'RETRY_DELAY_MS (the original client’s fixed delay)'),
  naiveMessageMaxChars: figure(NAIVE_MESSAGE_MAX_CHARS, 'count', 'NAIVE_MESSAGE_MAX_CHARS'),
  naiveWaitsPerClient: figure(MAX_WAITS_PER_CLIENT, 'count', 'MAX_WAITS_PER_CLIENT'),
  maxNaiveWaiters: figure(defaults.maxNaiveWaiters, 'count', 'MAX_NAIVE_WAITERS'),
  idleBatch: figure(IDLE_BATCH_SIZE, 'count', 'IDLE_BATCH_SIZE'),
  idleBatchChecksPerSecond: figure((IDLE_BATCH_SIZE * 1_000) / CHECK_INTERVAL_MS, 'per-second', 'IDLE_BATCH_SIZE / CHECK_INTERVAL_MS'),
  idleHold: figure(IDLE_HOLD_MS, 'ms', 'IDLE_HOLD_MS'),
  // The polled counter
  counterMinDelay: figure(CHANGE_MIN_DELAY_MS, 'ms', 'CHANGE_MIN_DELAY_MS'),
  counterMaxDelay: figure(CHANGE_MAX_DELAY_MS, 'ms', 'CHANGE_MAX_DELAY_MS'),
  counterIdleAfter: figure(IDLE_AFTER_MS, 'ms', 'IDLE_AFTER_MS'),
  pollIntervalMin: figure(MIN_INTERVAL_MS, 'ms', 'MIN_INTERVAL_MS'),
  pollIntervalMax: figure(MAX_INTERVAL_MS, 'ms', 'MAX_INTERVAL_MS'),
  pollIntervalDefault: figure(new CounterPoller().intervalMs, 'ms', 'CounterPoller intervalMs default'),
} as const;

export type SiteFigureName = keyof typeof SITE_FIGURES;

/** How a figure is printed: `auto` picks the unit that reads best; `number` drops the unit. */
export type FigureStyle = 'auto' | 'ms' | 'seconds' | 'number';

/** The figure as a lesson prints it, e.g. "25 s", "10,000", "2 KiB", "5 a second". */
export function siteFigure(name: SiteFigureName, style: FigureStyle = 'auto'): string {
  const entry = SITE_FIGURES[name];
  if (!entry) throw new Error(`Unknown site figure "${String(name)}". Expected one of: ${Object.keys(SITE_FIGURES).join(', ')}`);
  return formatFigureValue(entry.value, entry.unit, style);
}
