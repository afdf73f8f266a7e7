import { ChainCheck, StoredEntry } from './chain-check';
import { entryHash, GENESIS_HASH, HashedFields } from './entry-hash';

function account(userId: string, n: number): StoredEntry[] {
  const fields: HashedFields[] = Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    event_id: `${userId}-${i + 1}`,
    user_id: userId,
    amount: 10n,
    direction: 'income',
    source: 'gift',
    balance_before: BigInt(i * 10),
    balance_after: BigInt((i + 1) * 10),
    created_at: '2026-12-06T00:00:00.000001Z',
    allocations: null,
  }));
  let previous = GENESIS_HASH;
  return fields.map((f) => {
    previous = entryHash(previous, f);
    return { ...f, entry_hash: previous };
  });
}

function run(entries: StoredEntry[], head: string | null, userId = 'alice'): ChainCheck {
  const check = new ChainCheck();
  check.open(userId);
  entries.forEach((e) => check.check(e));
  check.close(head);
  return check;
}

describe('chain check', () => {
  it('accepts an intact chain ending at the account head', () => {
    const entries = account('alice', 4);
    const check = run(entries, entries[3].entry_hash);
    expect(check).toMatchObject({ ok: true, accounts: 1, entries: 4, firstBreak: null });
  });

  it('reports an edited entry, and only that one', () => {
    const entries = account('alice', 4);
    entries[1] = { ...entries[1], amount: 11n };
    const check = run(entries, entries[3].entry_hash);
    expect(check.firstBreak).toEqual({ user_id: 'alice', entry_id: '2', event_id: 'alice-2' });
  });

  it('reports the entry after one removed from the middle', () => {
    const entries = account('alice', 4);
    const check = run([entries[0], entries[2], entries[3]], entries[3].entry_hash);
    expect(check.firstBreak).toMatchObject({ entry_id: '3' });
  });

  it('reports the account when its newest entry was removed', () => {
    const entries = account('alice', 4);
    const check = run(entries.slice(0, 3), entries[3].entry_hash);
    expect(check.firstBreak).toEqual({ user_id: 'alice', entry_id: '3', event_id: 'alice-3' });
  });

  it('reports an entry written without a hash, and an account with a head but no entries', () => {
    const entries = account('alice', 2);
    expect(run([entries[0], { ...entries[1], entry_hash: null }], null).firstBreak).toMatchObject({
      entry_id: '2',
    });
    expect(run([], 'ab', 'bob').firstBreak).toEqual({
      user_id: 'bob',
      entry_id: null,
      event_id: null,
    });
    expect(run([], null, 'bob').ok).toBe(true);
  });

  it('keeps the first break of several', () => {
    const check = new ChainCheck();
    for (const user of ['alice', 'bob']) {
      const entries = account(user, 2);
      check.open(user);
      check.check({ ...entries[0], amount: 99n });
      check.check(entries[1]);
      check.close(entries[1].entry_hash);
    }
    expect(check.firstBreak).toMatchObject({ user_id: 'alice', entry_id: '1' });
    expect(check).toMatchObject({ accounts: 2, entries: 4 });
  });
});
