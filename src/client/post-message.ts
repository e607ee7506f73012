/** Sends a chat message the way the hardened API wants it: POST, JSON, same origin. */
export async function postMessage(room: string, text: string, author?: string): Promise<{ id: number }> {
  const response = await fetch('/api/chat/messages', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room, text, ...(author ? { author } : {}) }),
  });
  const body = (await response.json().catch(() => ({}))) as { id?: number; error?: string };
  if (!response.ok || typeof body.id !== 'number') {
    throw new Error(body.error ?? `the server answered ${response.status}`);
  }
  return { id: body.id };
}
