import type { ChatMessage } from '../server/chat/chat-message.ts';

/** Sends a chat message the way the hardened API wants it: POST, JSON, same origin; resolves with the stored message. */
export async function postMessage(room: string, text: string, author?: string): Promise<ChatMessage> {
  const response = await fetch('/api/chat/messages', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room, text, ...(author ? { author } : {}) }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<ChatMessage> & { error?: string };
  if (!response.ok || typeof body.id !== 'number') {
    throw new Error(body.error ?? `the server answered ${response.status}`);
  }
  return body as ChatMessage;
}
