/**
 * Every chat widget of every tab of this browser shares ONE long poll. The tabs elect a leader
 * (`tabs/leader-election.ts`, Web Locks); the leader runs a {@link LongPollClient} following
 * every room any tab follows and relays each room's answer over a `BroadcastChannel`; each tab
 * keeps its own {@link RoomView} (cursor and duplicate filter) per room.
 *
 * When the leader goes (closed, crashed, frozen), another tab gets the lock, announces itself,
 * and every tab tells it its rooms and cursors again; a tab whose cursor differs from the one
 * the leader polls from catches up with one non-held read from its own cursor. Relayed answers
 * that arrive meanwhile wait in a buffer, and the filter drops what arrives twice: nothing is
 * lost, nothing shown twice.
 *
 * Faults of the reconnection lesson stay in the tab that asked: a cut, a drop or a failed poll
 * detaches that tab's feed from the relay and makes it catch up by itself, with its own
 * `X-Comet-Tab` header, its own backoff and its own attempts.
 */
import { Backoff } from '../backoff.ts';
import type { RoomAnswer } from '../malformed-answer.ts';
import { LongPollClient, type LongPollState, type PollAttempt } from '../long-poll/long-poll-client.ts';
import { randomId } from '../room-in-url.ts';
import { electLeader, type LeaderElection } from '../tabs/leader-election.ts';
import { heldConnections } from '../tabs/held-connections.ts';
import { openTabChannel, type TabChannel } from '../tabs/tab-channel.ts';
import { readRoom, RoomReadError } from './read-room.ts';
import { RoomView, type RoomChange } from './room-view.ts';

export type { LongPollState, PollAttempt };

/** What travels between the tabs. `from`/`to` are tab ids. */
export type RelayMessage =
  | { type: 'hello'; from: string }
  | { type: 'leader'; from: string; shared: boolean }
  | { type: 'follow'; from: string; room: string; cursor: string | undefined }
  | { type: 'unfollow'; from: string; room: string }
  | { type: 'following'; to: string; room: string; cursor: string | undefined; state: LongPollState }
  | { type: 'answer'; room: string; answer: RoomAnswer }
  | { type: 'state'; state: LongPollState }
  | { type: 'attempt'; attempt: PollAttempt }
  | { type: 'bye'; from: string };

export interface RoomFeedEvents {
  state: LongPollState;
  messages: { messages: RoomChange['messages']; reset: boolean };
  gap: { cursor: string | undefined };
  attempt: PollAttempt & { local?: boolean };
  fatal: { status: number; error: string };
  /** A line for the widget's wire log that no other event carries. */
  note: string;
}

export interface ChatTabsOptions {
  fetch?: typeof fetch;
  channel?: TabChannel<RelayMessage>;
  locks?: LockManager | undefined;
  doc?: EventTarget;
  now?: () => number;
  /** The leader's poll, made to order (tests give a fake server). */
  createPoller?: () => LongPollClient;
  onHeld?: (delta: 1 | -1) => void;
}

/** The chat's view of this tab among the others: who leads, and the feeds of the rooms it follows. */
export class ChatTabs extends EventTarget {
  readonly tab = randomId(8);
  #channel: TabChannel<RelayMessage>;
  #fetch: typeof fetch;
  #now: () => number;
  #feeds = new Set<RoomFeed>();
  #election: LeaderElection | undefined;
  #createPoller: () => LongPollClient;
  #onHeld: (delta: 1 | -1) => void;
  /** Set while this tab leads. */
  #poller: LongPollClient | undefined;
  /** Leader side: room → tabs that follow it. */
  #followers = new Map<string, Set<string>>();
  #leader: string | undefined;
  #lastState: LongPollState = { state: 'connecting' };
  #unlisten: () => void;

  constructor({ fetch: fetcher, channel, locks, doc, now = Date.now, createPoller, onHeld }: ChatTabsOptions = {}) {
    super();
    this.#fetch = fetcher ?? ((input, init) => globalThis.fetch(input, init));
    const hasLocks = (locks ?? globalThis.navigator?.locks) !== undefined;
    // Without Web Locks every tab leads itself: its channel must then stay private.
    this.#channel = channel ?? openTabChannel<RelayMessage>('comet-lessons.chat', { shared: hasLocks && typeof BroadcastChannel === 'function' });
    this.#now = now;
    this.#createPoller = createPoller ?? (() => new LongPollClient({ fetch: this.#fetch, now }));
    this.#onHeld = onHeld ?? ((delta) => heldConnections().add('chat-poll', delta));
    this.#unlisten = this.#channel.listen((message) => this.#receive(message));
    // A tab coming back from being frozen may have missed relayed answers: it asks again from its cursors.
    (doc ?? globalThis.document)?.addEventListener('resume', () => this.#followAgain());
    this.#election = electLeader({
      name: 'comet-lessons.chat-leader',
      locks,
      doc,
      onLead: () => this.#lead(),
      onLoseLead: () => this.#resign(),
    });
    this.#channel.post({ type: 'hello', from: this.tab });
  }

  /** The leading tab's id, once known. */
  get leader(): string | undefined {
    return this.#leader;
  }

  get leading(): boolean {
    return this.#poller !== undefined;
  }

  /** The shared poll's state, as last relayed. */
  get lastState(): LongPollState {
    return this.#lastState;
  }

  /** Whether the tabs share one poll (false: Web Locks or BroadcastChannel missing, each tab polls alone). */
  get shared(): boolean {
    return this.#channel.shared && (this.#election?.shared ?? false);
  }

  /** Starts following `room` in this tab. `headers` go with this tab's own reads (e.g. `X-Comet-Tab`). */
  join(room: string, { headers = {} }: { headers?: Record<string, string> } = {}): RoomFeed {
    const feed = new RoomFeed(this, room, headers, this.#fetch, this.#now);
    this.#feeds.add(feed);
    feed.emitState(this.#lastState);
    this.#channel.post({ type: 'follow', from: this.tab, room, cursor: undefined });
    return feed;
  }

  /** Called by a feed that closes. */
  leave(feed: RoomFeed): void {
    if (!this.#feeds.delete(feed)) return;
    if (![...this.#feeds].some((other) => other.room === feed.room)) this.#channel.post({ type: 'unfollow', from: this.tab, room: feed.room });
  }

  /** The browser came back online: the leader retries at once. */
  retryNow(): void {
    this.#poller?.retryNow();
  }

  /** This tab is going away (pagehide): the leader forgets its rooms, the lock goes to another tab. */
  close(): void {
    this.#channel.post({ type: 'bye', from: this.tab });
    this.#election?.close();
    this.#unlisten();
  }

  #lead(): void {
    const poller = this.#createPoller();
    this.#poller = poller;
    this.#followers.clear();
    const on = <T,>(type: string, listener: (detail: T) => void) =>
      poller.addEventListener(type, (event) => listener((event as CustomEvent<T>).detail));
    on<{ room: string; answer: RoomAnswer }>('answer', ({ room, answer }) => this.#channel.post({ type: 'answer', room, answer }));
    on<LongPollState>('state', (state) => this.#channel.post({ type: 'state', state }));
    on<PollAttempt>('attempt', (attempt) => this.#channel.post({ type: 'attempt', attempt }));
    on<boolean>('held', (held) => this.#onHeld(held ? 1 : -1));
    poller.start();
    this.#channel.post({ type: 'leader', from: this.tab, shared: this.shared });
  }

  #resign(): void {
    this.#poller?.stop('another tab leads now');
    this.#poller = undefined;
    this.#followers.clear();
  }

  // #region relay
  #receive(message: RelayMessage): void {
    switch (message.type) {
      case 'hello':
        if (this.#poller) this.#channel.post({ type: 'leader', from: this.tab, shared: this.shared });
        return;
      case 'leader':
        if (this.#leader === message.from) return;
        this.#leader = message.from;
        this.dispatchEvent(new Event('leader'));
        this.#followAgain(); // a new leader knows nothing of this tab's rooms
        return;
      case 'follow':
        return this.#onFollow(message.from, message.room, message.cursor);
      case 'unfollow':
        return this.#onUnfollow(message.from, message.room);
      case 'bye':
        for (const room of [...this.#followers.keys()]) this.#onUnfollow(message.from, room);
        return;
      case 'following':
        if (message.to !== this.tab) return;
        this.#lastState = message.state; // a tab that joins while the poll is held learns its state here
        for (const feed of this.#feeds) {
          if (feed.room !== message.room) continue;
          feed.relayedState(message.state);
          feed.synchronise(message.cursor);
        }
        return;
      case 'answer':
        for (const feed of this.#feeds) if (feed.room === message.room) feed.relayed(message.answer);
        return;
      case 'state':
        this.#lastState = message.state;
        for (const feed of this.#feeds) feed.relayedState(message.state);
        return;
      case 'attempt':
        for (const feed of this.#feeds) feed.relayedAttempt(message.attempt);
        return;
    }
  }

  /** Tells the leader every room of this tab and its cursor again; each feed waits for the answer (and catches up if behind). */
  #followAgain(): void {
    for (const room of new Set([...this.#feeds].map((feed) => feed.room))) {
      const cursor = [...this.#feeds].find((feed) => feed.room === room)!.view.cursor;
      for (const feed of this.#feeds) if (feed.room === room) feed.awaitSync();
      this.#channel.post({ type: 'follow', from: this.tab, room, cursor });
    }
  }

  #onFollow(tab: string, room: string, cursor: string | undefined): void {
    const poller = this.#poller;
    if (!poller) return;
    let tabs = this.#followers.get(room);
    if (!tabs) this.#followers.set(room, (tabs = new Set()));
    tabs.add(tab);
    if (!poller.rooms.includes(room)) {
      try {
        poller.follow(room, cursor);
      } catch (error) {
        console.warn((error as Error).message); // past the rooms one poll can carry: that tab waits for a slot
        return;
      }
    }
    this.#channel.post({ type: 'following', to: tab, room, cursor: poller.cursorOf(room), state: poller.state });
  }

  #onUnfollow(tab: string, room: string): void {
    const tabs = this.#followers.get(room);
    if (!tabs?.delete(tab) || tabs.size) return;
    this.#followers.delete(room);
    this.#poller?.unfollow(room);
  }
  // #endregion relay
}

/**
 * One room as one widget of this tab sees it. Events: `state`, `messages`, `gap`, `attempt`,
 * `fatal`, `note` (see {@link RoomFeedEvents}).
 */
export class RoomFeed extends EventTarget {
  readonly view: RoomView;
  #tabs: ChatTabs;
  #headers: Record<string, string>;
  #fetch: typeof fetch;
  #now: () => number;
  #backoff = new Backoff();
  /** Relayed answers wait here until this feed is in step with the leader's cursor. */
  #buffer: RoomAnswer[] = [];
  #synced = false;
  /** Set while a fault of this tab detaches it from the relay. */
  #detachedUntil = 0;
  #catchingUp = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  readonly room: string;

  constructor(tabs: ChatTabs, room: string, headers: Record<string, string>, fetcher: typeof fetch, now: () => number) {
    super();
    this.room = room;
    this.#tabs = tabs;
    this.#headers = headers;
    this.#fetch = fetcher;
    this.#now = now;
    this.view = new RoomView(room);
  }

  get cursor(): string | undefined {
    return this.view.cursor;
  }

  /** True while a cut from {@link cutNetwork} lasts. */
  get networkCut(): boolean {
    return this.#now() < this.#detachedUntil;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#tabs.leave(this);
  }

  /** Fault: this tab alone loses the network for `ms`, then catches up from its own cursor. */
  cutNetwork(ms: number): void {
    this.#detach(ms, 'the network is cut');
    this.#emit('attempt', { startedAt: this.#now(), endedAt: this.#now(), outcome: 'network-error', reason: 'the network is cut', delayMs: ms, local: true });
  }

  /** Fault: this tab's connection drops; it reconnects (catches up) at once. */
  dropConnection(): void {
    this.#emit('attempt', { startedAt: this.#now(), endedAt: this.#now(), outcome: 'network-error', reason: 'connection dropped on purpose', local: true });
    this.#synced = false;
    void this.#catchUp();
  }

  /** Fault armed on the server for this tab's id: its next own read meets it. */
  pollNow(): void {
    this.#synced = false;
    void this.#catchUp();
  }

  // Called by ChatTabs.
  awaitSync(): void {
    this.#synced = false;
  }

  synchronise(leaderCursor: string | undefined): void {
    if (this.#closed || this.networkCut || this.#catchingUp) return;
    if (leaderCursor === this.view.cursor) {
      this.#synced = true;
      this.#flush();
    } else {
      void this.#catchUp();
    }
  }

  relayed(answer: RoomAnswer): void {
    if (this.#closed || this.networkCut) return; // a cut tab hears nothing; it catches up afterwards
    this.#buffer.push(answer);
    if (this.#synced) this.#flush();
  }

  relayedState(state: LongPollState): void {
    if (!this.networkCut && !this.#catchingUp) this.emitState(state);
  }

  relayedAttempt(attempt: PollAttempt): void {
    if (!this.networkCut && !this.#catchingUp) this.#emit('attempt', attempt);
  }

  emitState(state: LongPollState): void {
    this.#emit('state', state);
  }

  #detach(ms: number, reason: string): void {
    this.#detachedUntil = this.#now() + ms;
    this.#synced = false;
    this.#buffer = [];
    this.#emit('state', { state: 'backing-off', until: this.#detachedUntil, reason });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#catchUp(), ms);
  }

  /**
   * One non-held read from this tab's own cursor (retried with backoff), then back in step with
   * the relay: the read covers everything up to its answer, relayed answers buffered meanwhile
   * continue from there, and what both carry is dropped by the view's filter.
   */
  async #catchUp(): Promise<void> {
    if (this.#closed || this.#catchingUp) return;
    this.#catchingUp = true;
    this.#synced = false;
    this.#buffer = []; // what was relayed before this read is covered by it
    const startedAt = this.#now();
    this.#emit('state', { state: 'connecting' });
    try {
      const answer = await readRoom(this.room, this.view.cursor, { headers: this.#headers, fetch: this.#fetch });
      this.#backoff.reset();
      this.#catchingUp = false;
      this.#apply(answer);
      this.#emit('attempt', { startedAt, endedAt: this.#now(), outcome: answer.messages.length ? 'messages' : 'empty', status: 200, received: answer.messages.length, local: true });
      this.#emit('state', this.#tabs.lastState); // back to what the shared poll is doing
      // The read covered everything up to now; relayed answers from now on continue it (overlap is filtered).
      this.#synced = true;
      this.#flush();
    } catch (error) {
      this.#catchingUp = false;
      if (this.#closed) return;
      const failure = error instanceof RoomReadError ? error : new RoomReadError(String(error), 'network-error');
      if (failure.outcome === 'client-error') {
        this.#emit('fatal', { status: failure.status ?? 0, error: failure.message });
        return;
      }
      const delayMs = this.#backoff.next(failure.retryAfterMs);
      this.#emit('attempt', { startedAt, endedAt: this.#now(), outcome: failure.outcome, status: failure.status, reason: failure.message, delayMs, local: true });
      this.#detach(delayMs, failure.message);
    }
  }

  #flush(): void {
    const pending = this.#buffer;
    this.#buffer = [];
    for (const answer of pending) this.#apply(answer);
  }

  #apply(answer: RoomAnswer): void {
    const change = this.view.apply(answer);
    if (!change) return;
    if (change.stale) {
      this.#synced = false;
      void this.#catchUp();
      return;
    }
    if (change.gap) this.#emit('gap', { cursor: this.view.cursor });
    if (change.messages.length || change.reset) this.#emit('messages', { messages: change.messages, reset: change.reset });
  }

  #emit<K extends keyof RoomFeedEvents>(type: K, detail: RoomFeedEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

let instance: ChatTabs | undefined;

/** This tab's place among the others, created on first use; it says goodbye on `pagehide`. */
export function chatTabs(): ChatTabs {
  if (instance) return instance;
  const tabs = new ChatTabs();
  instance = tabs;
  addEventListener('pagehide', () => tabs.close());
  addEventListener('online', () => tabs.retryNow());
  return tabs;
}
