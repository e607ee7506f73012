/**
 * One writer at a time, in arrival order. Items that arrive while a write is in flight
 * wait together and go out as the next batch, so a burst of posts costs one file write
 * rather than one each (group commit).
 */
export interface BatchQueueOptions<T, R> {
  /** Writes a batch; resolves with one result per item, in order, or rejects them all. */
  write(items: T[]): Promise<R[]>;
  /** Runs after a batch has settled and before the next one starts (e.g. compaction). */
  afterBatch?(): Promise<void>;
  maxBatch?: number;
}

export interface BatchQueue<T, R> {
  push(item: T): Promise<R>;
  /** Resolves once everything pushed so far has been written (or has failed). */
  idle(): Promise<void>;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export function createBatchQueue<T, R>({ write, afterBatch, maxBatch = 256 }: BatchQueueOptions<T, R>): BatchQueue<T, R> {
  const pending: Pending<T, R>[] = [];
  let running: Promise<void> | undefined;

  const drain = async () => {
    while (pending.length > 0) {
      const batch = pending.splice(0, maxBatch);
      try {
        const results = await write(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]!));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
      try {
        await afterBatch?.();
      } catch (error) {
        console.error('A chat log maintenance step failed:', error); // the next batch still runs
      }
    }
    running = undefined;
  };

  return {
    push(item) {
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        running ??= drain();
      });
    },
    async idle() {
      while (running) await running;
    },
  };
}
