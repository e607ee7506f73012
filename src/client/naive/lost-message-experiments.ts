/**
 * The naive widget's two "lose a message on purpose" buttons: each sends messages in a
 * way the literal port cannot cope with, records what this page receives, and judges it.
 */
import type { NaiveChatClient, NaiveChatEvents } from './naive-chat-client.ts';
import { judgeDeliveries, summarize, type Delivery, type MessageVerdict } from './lost-message-verdict.ts';

/** After the last write, how long to wait for deliveries before judging (a delivery takes ~10 ms). */
export const SETTLE_MS = 1_500;
/** The first message of the same-second experiment must be back within this. */
const FIRST_DELIVERY_TIMEOUT_MS = 3_000;
/** A file second is surely over this long after its news arrived. */
const SECOND_OVER_MS = 1_100;

export interface ExperimentResult {
  verdicts: MessageVerdict[];
  summary: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything the chat receives from now on, until `stop()`. */
function recordDeliveries(client: NaiveChatClient) {
  const list: Delivery[] = [];
  const waiting = new Map<string, () => void>();
  const onMessage = (event: Event) => {
    const { msg, timestamp } = (event as CustomEvent<NaiveChatEvents['message']>).detail;
    list.push({ text: msg, timestamp });
    waiting.get(msg)?.();
  };
  client.addEventListener('message', onMessage);
  return {
    list,
    /** Resolves true when `text` arrives, false after `timeoutMs`. */
    waitFor(text: string, timeoutMs: number): Promise<boolean> {
      if (list.some((delivery) => delivery.text === text)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiting.set(text, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    stop: () => client.removeEventListener('message', onMessage),
  };
}

/**
 * Writes must land in a second later than the file's current one, or neither is "newer":
 * wait until the second of the last news this page received is surely over.
 */
async function waitForFreshSecond(client: NaiveChatClient): Promise<void> {
  const wait = client.lastNewsAt + SECOND_OVER_MS - performance.now();
  if (wait > 0) await sleep(wait);
}

// #region same-second
/** Sends one message, and a second one the moment the first has arrived: within the same second. */
export async function sendTwoWithinOneSecond(client: NaiveChatClient, tag: string): Promise<ExperimentResult> {
  const first = `first ${tag}`;
  const second = `second ${tag}`;
  await waitForFreshSecond(client);
  const deliveries = recordDeliveries(client);
  try {
    await client.send(first);
    await deliveries.waitFor(first, FIRST_DELIVERY_TIMEOUT_MS);
    await client.send(second);
    await sleep(SETTLE_MS);
    const verdicts = judgeDeliveries([first, second], deliveries.list);
    return { verdicts, summary: summarize(verdicts) };
  } finally {
    deliveries.stop();
  }
}
// #endregion same-second

/** Two senders write at the same moment; the file keeps whichever write came last. */
export async function twoPeopleAtOnce(client: NaiveChatClient, tag: string): Promise<ExperimentResult> {
  const messages = [`Ann: hello ${tag}`, `Bob: hi ${tag}`];
  await waitForFreshSecond(client);
  const deliveries = recordDeliveries(client);
  try {
    await Promise.all(messages.map((text) => client.send(text)));
    await sleep(SETTLE_MS);
    const verdicts = judgeDeliveries(messages, deliveries.list, { writeOrderKnown: false });
    return { verdicts, summary: summarize(verdicts) };
  } finally {
    deliveries.stop();
  }
}
