/**
 * The countdown of the reconnection panel's network cut: the seconds left, shown once a
 * second and once more, as 0, exactly when the cut ends (so "the network is cut" disappears
 * then, and the Cut button comes back then, not a tick later).
 */
export interface CountdownOptions {
  /** Told the whole seconds left (rounded up); 0 exactly when the cut ends. */
  show: (secondsLeft: number) => void;
  now?: () => number;
}

export class NetworkCutCountdown {
  #show: (secondsLeft: number) => void;
  #now: () => number;
  #tick: ReturnType<typeof setInterval> | undefined;
  #end: ReturnType<typeof setTimeout> | undefined;

  constructor({ show, now = Date.now }: CountdownOptions) {
    this.#show = show;
    this.#now = now;
  }

  /** A cut of `durationMs` starts now. */
  start(durationMs: number): void {
    this.stop();
    const endsAt = this.#now() + durationMs;
    const showLeft = () => this.#show(Math.max(0, Math.ceil((endsAt - this.#now()) / 1_000)));
    showLeft();
    this.#tick = setInterval(showLeft, 1_000);
    this.#end = setTimeout(() => {
      this.stop();
      this.#show(0);
    }, durationMs);
  }

  stop(): void {
    clearInterval(this.#tick);
    clearTimeout(this.#end);
  }
}
