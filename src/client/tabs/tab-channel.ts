/**
 * The tabs of one browser (one origin, one profile) talk over a `BroadcastChannel`. A message
 * is also delivered to the sending tab itself, so the leader's own tab is served by the same
 * code as every other. Where `BroadcastChannel` is missing, the channel stays inside this tab.
 */
export interface TabChannel<T> {
  post(message: T): void;
  listen(listener: (message: T) => void): () => void;
  /** Whether other tabs can hear this channel. */
  readonly shared: boolean;
  close(): void;
}

/** Opens the channel `name`; `shared: false` forces the private fallback. */
export function openTabChannel<T>(name: string, { shared = typeof BroadcastChannel === 'function' } = {}): TabChannel<T> {
  const local = new EventTarget();
  const broadcast = shared ? new BroadcastChannel(name) : undefined;
  const deliver = (message: T) => local.dispatchEvent(new CustomEvent('message', { detail: message }));
  broadcast?.addEventListener('message', (event) => deliver((event as MessageEvent<T>).data));
  return {
    shared: broadcast !== undefined,
    post(message) {
      broadcast?.postMessage(message);
      queueMicrotask(() => deliver(message)); // to this tab too, after the current task as the others see it
    },
    listen(listener) {
      const handler = (event: Event) => listener((event as CustomEvent<T>).detail);
      local.addEventListener('message', handler);
      return () => local.removeEventListener('message', handler);
    },
    close() {
      broadcast?.close();
    },
  };
}
