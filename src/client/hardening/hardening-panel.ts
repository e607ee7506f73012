import { randomId } from '../room-in-url.ts';

/**
 * What every live panel of the hardening lesson shares: a private chat room of its own (so that
 * nobody else's messages mix in), its parts found by `data-field` and `data-action`, and the
 * clean-ups it runs when it leaves the page. Each panel is a custom element extending this.
 */
export abstract class HardeningPanel extends HTMLElement {
  /** Run (once each) when the panel leaves the page. */
  protected cleanups: Array<() => void> = [];
  /** A private chat room for this panel. */
  protected readonly room = `hardening-${randomId(8)}`;

  connectedCallback(): void {
    this.setUp();
  }

  disconnectedCallback(): void {
    this.cleanups.forEach((cleanup) => cleanup());
    this.cleanups = [];
  }

  /** The panel's element marked `data-field="name"`. */
  protected field<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.querySelector<T>(`[data-field="${name}"]`)!;
  }

  /** The panel's button marked `data-action="name"`. */
  protected action(name: string): HTMLButtonElement {
    return this.querySelector<HTMLButtonElement>(`[data-action="${name}"]`)!;
  }

  /** Wires the panel's controls; called each time it is put on a page. */
  protected abstract setUp(): void;
}
