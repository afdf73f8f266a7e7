import { isDatabaseUnavailable } from '../database/database-unavailable';

export interface GroupCommitOptions {
  /** Most items one write takes. */
  maxBatch: number;
  /** Writes in flight at once; items that arrive meanwhile wait and go together in the next. */
  concurrency: number;
}

/** What a write answers for each item of its batch, in order: a value, or that item's error. */
export type ItemResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit one item each and wait for it to be durably written; concurrent
 * items share one write (one database transaction, one fsync). Nothing waits on a timer: when a
 * write slot is free the queue goes at once, so a lone item is written as soon as it arrives, and
 * under load the batches grow by themselves to what arrives during one write.
 *
 * A write that throws fails only batches of one: a batch of several is written again item by item,
 * so one bad item (a constraint it violates) never fails the others. A write that failed because the
 * database is unreachable fails the whole batch at once: item by item, each would wait out the
 * timeouts in turn.
 */
export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<ItemResult<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.writeBatch(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async writeBatch(batch: Waiting<T, R>[]): Promise<void> {
    let results: ItemResult<R>[];
    try {
      results = await this.write(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) await this.writeBatch([waiting]);
      return;
    }
    batch.forEach((waiting, i) => {
      const result = results[i];
      if (result.ok) waiting.resolve(result.value);
      else waiting.reject(result.error);
    });
  }
}
