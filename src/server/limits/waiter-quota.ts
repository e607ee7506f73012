import { serviceUnavailable, tooManyRequests } from '../http/http-error.ts';

/**
 * How many held (waiting) requests one client, and the server as a whole, may have at
 * once. A held request costs a socket and a little memory for as long as it waits, so
 * both are bounded: a client over its share gets 429, everyone over the total gets 503.
 */
export interface WaiterQuotaOptions {
  maxTotal: number;
  maxPerClient: number;
  /** `false` lifts the per-client bound (RATE_LIMITS=off); the total still holds. */
  perClientEnabled?: boolean;
  /** What is held, for the error messages: "waiting requests" unless told otherwise. */
  what?: string;
}

export interface WaiterQuota {
  /** Takes a place for `client`, or throws 429/503; returns the release (safe to call twice). */
  acquire(client: string): () => void;
  /** Takes a place that no client holds (load the server makes itself): only the total applies. */
  acquireForServer(): () => void;
  readonly held: number;
  /** Places left before the total is reached. */
  readonly free: number;
}

export const WAITER_RETRY_AFTER_SECONDS = 5;
/** What a client over its own share is told to wait, in seconds: its share frees up as soon as one of its answers goes out. */
export const PER_CLIENT_RETRY_AFTER_SECONDS = 1;

// #region acquire
export function createWaiterQuota({
  maxTotal,
  maxPerClient,
  perClientEnabled = true,
  what = 'waiting requests',
}: WaiterQuotaOptions): WaiterQuota {
  const byClient = new Map<string, number>();
  let held = 0;

  const takeFromTotal = () => {
    if (held >= maxTotal) {
      throw serviceUnavailable(`the server is holding as many ${what} as it can; try again shortly`, WAITER_RETRY_AFTER_SECONDS);
    }
    held += 1;
  };

  return {
    acquire(client) {
      const mine = byClient.get(client) ?? 0;
      if (perClientEnabled && mine >= maxPerClient) {
        throw tooManyRequests(`too many ${what} from one client; at most ${maxPerClient} at once`, PER_CLIENT_RETRY_AFTER_SECONDS);
      }
      takeFromTotal();
      byClient.set(client, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held -= 1;
        const left = (byClient.get(client) ?? 1) - 1;
        if (left > 0) byClient.set(client, left);
        else byClient.delete(client);
      };
    },
    acquireForServer() {
      takeFromTotal();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held -= 1;
      };
    },
    get held() {
      return held;
    },
    get free() {
      return Math.max(0, maxTotal - held);
    },
  };
}
// #endregion acquire
