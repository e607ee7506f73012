import type { RoomFeed, RoomFeedEvents } from './chat-tabs.ts';

/** Listens to one kind of a feed's events with its typed detail; returns the remover. */
export function onFeed<K extends keyof RoomFeedEvents>(feed: RoomFeed, type: K, listener: (detail: RoomFeedEvents[K]) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<RoomFeedEvents[K]>).detail);
  feed.addEventListener(type, handler);
  return () => feed.removeEventListener(type, handler);
}
