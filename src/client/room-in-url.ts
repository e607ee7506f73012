/**
 * Each learner gets a private chat room: a random name kept in the page's address, so a
 * second tab (or a friend given the link) joins the same room.
 */
export const ROOM_NAME = /^[a-z0-9-]{1,32}$/;

export function roomFromUrl(location: Location = window.location, history: History = window.history): string {
  const url = new URL(location.href);
  const requested = url.searchParams.get('room');
  if (requested && ROOM_NAME.test(requested)) return requested;
  const room = `room-${randomId(8)}`;
  url.searchParams.set('room', room);
  history.replaceState(history.state, '', url);
  return room;
}

export function roomLink(room: string, location: Location = window.location): string {
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  url.hash = '';
  return url.href;
}

export function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => alphabet[byte % alphabet.length]).join('');
}
