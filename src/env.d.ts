declare namespace App {
  /** What the server's edge (scripts/serve.ts) hands every request, through the adapter's `locals`. */
  interface Locals {
    /** The one site of this process, created at start. Absent under `astro dev`, which creates its own. */
    site?: import('./server/site.ts').Site;
    /** The TCP peer's address, read when the request arrived (the client may have left since). */
    socketAddress?: string;
    /** Aborts when the client half-closes its connection (see scripts/half-close.ts). */
    clientDoneSending?: AbortSignal;
  }
}
