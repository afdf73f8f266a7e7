import { GroupCommit, ItemResult } from './group-commit';

/** A write that records its batches and answers each item doubled, or fails on demand. */
function recordingWrite(fail: (items: number[]) => boolean = () => false) {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const write = async (items: number[]): Promise<ItemResult<number>[]> => {
    batches.push(items);
    await gate;
    if (fail(items)) throw new Error(`write of ${items.join(',')} failed`);
    return items.map((i) =>
      i < 0 ? { ok: false, error: `negative ${i}` } : { ok: true, value: i * 2 },
    );
  };
  const hold = () => (gate = new Promise<void>((resolve) => (release = resolve)));
  return { batches, write, hold, release: () => release() };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, and what arrives during a write together in the next', async () => {
    const w = recordingWrite();
    const group = new GroupCommit(w.write, { maxBatch: 100, concurrency: 1 });
    void w.hold();
    const first = group.submit(1);
    const rest = [2, 3, 4].map((i) => group.submit(i));
    w.release();
    expect(await first).toBe(2);
    expect(await Promise.all(rest)).toEqual([4, 6, 8]);
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never puts more than maxBatch items in one write', async () => {
    const w = recordingWrite();
    const group = new GroupCommit(w.write, { maxBatch: 2, concurrency: 1 });
    void w.hold();
    const all = [1, 2, 3, 4, 5].map((i) => group.submit(i));
    w.release();
    await Promise.all(all);
    expect(w.batches.map((b) => b.length)).toEqual([1, 2, 2]);
  });

  it('rejects only the item a write answers with an error', async () => {
    const w = recordingWrite();
    const group = new GroupCommit(w.write, { maxBatch: 10, concurrency: 1 });
    const results = await Promise.allSettled([group.submit(5), group.submit(-1), group.submit(6)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: 'negative -1' },
      { status: 'fulfilled', value: 12 },
    ]);
  });

  it('writes a failed batch again item by item, so only the bad item fails', async () => {
    const w = recordingWrite((items) => items.includes(13));
    const group = new GroupCommit(w.write, { maxBatch: 10, concurrency: 1 });
    void w.hold();
    void group.submit(0);
    const pending = [12, 13, 14].map((i) => group.submit(i));
    w.release();
    const results = await Promise.allSettled(pending);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(w.batches).toEqual([[0], [12, 13, 14], [12], [13], [14]]);
  });

  it('fails a whole batch at once when the database is unreachable, without writing items alone', async () => {
    const w = recordingWrite();
    const unreachable = new Error('Query read timeout');
    const group = new GroupCommit(
      (items: number[]): Promise<ItemResult<number>[]> => {
        w.batches.push(items);
        return Promise.reject(unreachable);
      },
      { maxBatch: 10, concurrency: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((i) => group.submit(i)));
    expect(results).toEqual(results.map(() => ({ status: 'rejected', reason: unreachable })));
    expect(w.batches).toEqual([[1], [2, 3]]);
  });

  it('keeps at most `concurrency` writes in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const group = new GroupCommit(
      async (items: number[]) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return items.map((value) => ({ ok: true as const, value }));
      },
      { maxBatch: 3, concurrency: 2 },
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => group.submit(i)));
    expect(most).toBe(2);
  });
});
