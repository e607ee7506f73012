/**
 * The "writes by GET" and "one file, whole seconds" demos: real requests to the naive
 * backend (the original's design, kept fenced in lesson 2) and to the chat (the fix),
 * and what each server made of them.
 */

export interface ProbeResult {
  /** What was sent, in a few words. */
  request: string;
  status: number;
  /** The server's reason for a refusal, or a short account of what it did. */
  outcome: string;
}

/** Any page can embed an image: the browser fetches it with a GET, without asking anyone. */
export function writeWithImage(text: string): Promise<void> {
  return new Promise((resolve) => {
    const image = new Image();
    // The answer is no image at all (204), so "error" is the expected end; either way the GET was sent.
    image.addEventListener('load', () => resolve(), { once: true });
    image.addEventListener('error', () => resolve(), { once: true });
    image.src = `/api/naive/backend?msg=${encodeURIComponent(text)}`;
  });
}

/** What the naive chat's file holds now, and its time in whole seconds (a wait from 0 answers at once). */
export async function readNaiveFile(): Promise<{ msg: string | null; timestamp: number }> {
  const response = await fetch('/api/naive/backend?timestamp=0', { cache: 'no-store' });
  if (!response.ok) throw new Error(`the naive backend answered ${response.status}`);
  return (await response.json()) as { msg: string | null; timestamp: number };
}

async function describe(request: string, response: Response): Promise<ProbeResult> {
  const body = (await response.json().catch(() => ({}))) as { error?: string; id?: number };
  const outcome = body.error ?? (body.id !== undefined ? `stored as message #${body.id}` : 'accepted');
  return { request, status: response.status, outcome };
}

/** The same kinds of request another site's page could make, aimed at the chat. */
export async function tryWritesOnChat(room: string, text: string): Promise<ProbeResult[]> {
  const address = `/api/chat/messages?room=${encodeURIComponent(room)}&text=${encodeURIComponent(text)}`;
  const byGet = await fetch(address, { cache: 'no-store' });
  // What an HTML form can send to any site without asking first: a POST of form fields.
  const byForm = await fetch('/api/chat/messages', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ room, text }),
  });
  return [
    await describe('GET with the text in the address (an image, a link, a prefetch)', byGet),
    await describe('POST of form fields (a form on any site)', byForm),
  ];
}

export interface LostWritesResult {
  naive: { sent: string[]; kept: string | null; timestamp: number };
  chat: { sent: string[]; kept: Array<{ id: number; text: string; at: number }> };
}

/** Two writes at the same moment, to each backend: what is left of them afterwards. */
export async function twoWritesAtOnce(room: string, tag: string): Promise<LostWritesResult> {
  const naiveSent = [`Ann ${tag}`, `Bob ${tag}`];
  await Promise.all(naiveSent.map((text) => fetch(`/api/naive/backend?msg=${encodeURIComponent(text)}`, { cache: 'no-store' })));
  const file = await readNaiveFile();

  const chatSent = [`Ann ${tag}`, `Bob ${tag}`];
  await Promise.all(
    chatSent.map((text) =>
      fetch('/api/chat/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ room, text }),
      }),
    ),
  );
  const read = await fetch(`/api/chat/messages?room=${encodeURIComponent(room)}`, { cache: 'no-store' });
  const { messages = [] } = (await read.json()) as { messages?: Array<{ id: number; text: string; at: number }> };
  return {
    naive: { sent: naiveSent, kept: file.msg, timestamp: file.timestamp },
    chat: { sent: chatSent, kept: messages.filter((message) => message.text.endsWith(tag)) },
  };
}
