import { AccountBalance, emptyAccount, isBlocked } from './account-balance';
import type { Movement } from './ledger-entry';
import { planMovements, RecordedEntry } from './plan-movements';

const charge = (event_id: string, amount: bigint, user_id = 'u1'): Movement => ({
  event_id,
  user_id,
  source: 'chat',
  direction: 'expense',
  amount,
});
const grant = (
  event_id: string,
  amount: bigint,
  source = 'purchase',
  user_id = 'u1',
): Movement => ({
  event_id,
  user_id,
  source,
  direction: 'income',
  amount,
});
const accounts = (...list: AccountBalance[]) => new Map(list.map((a) => [a.user_id, a]));
const noEntries = new Map<string, RecordedEntry>();

describe('planMovements', () => {
  it('chains balance_before/after through consecutive entries of one account', () => {
    const start = { ...emptyAccount('u1'), balance: 1000n, total_recharged: 1000n, version: 1n };
    const plan = planMovements(accounts(start), noEntries, [
      charge('c1', 10n),
      charge('c2', 20n),
      charge('c3', 30n),
    ]);
    expect(plan.entries.map((e) => [e.balance_before, e.amount, e.balance_after])).toEqual([
      [1000n, -10n, 990n],
      [990n, -20n, 970n],
      [970n, -30n, 940n],
    ]);
    expect(plan.accounts).toEqual([{ ...start, balance: 940n, total_consumed: 60n, version: 4n }]);
  });

  it('adds income to the right total: purchase to recharged, other sources to rewarded', () => {
    const plan = planMovements(accounts(), noEntries, [
      grant('g1', 100n, 'purchase'),
      grant('g2', 7n, 'reward'),
      grant('g3', 5n, 'compensation'),
    ]);
    const [account] = plan.accounts;
    expect(account.balance).toBe(112n);
    expect(account.total_recharged).toBe(100n);
    expect(account.total_rewarded).toBe(12n);
    expect(account.total_consumed).toBe(0n);
  });

  it('applies a post-paid charge below zero and the account becomes blocked', () => {
    const start = { ...emptyAccount('u1'), balance: 5n, total_rewarded: 5n };
    const plan = planMovements(accounts(start), noEntries, [charge('c1', 8n)]);
    expect(plan.outcomes[0].kind).toBe('applied');
    expect(plan.accounts[0].balance).toBe(-3n);
    expect(isBlocked(plan.accounts[0].balance)).toBe(true);
    expect(isBlocked(1n)).toBe(false);
    expect(isBlocked(0n)).toBe(true);
  });

  it('answers a repeat of a recorded event as a duplicate and changes nothing', () => {
    const recorded = new Map([
      [
        'c1',
        {
          event_id: 'c1',
          user_id: 'u1',
          source: 'chat',
          direction: 'expense' as const,
          amount: -10n,
        },
      ],
    ]);
    const plan = planMovements(accounts({ ...emptyAccount('u1'), balance: 90n }), recorded, [
      charge('c1', 10n),
    ]);
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['duplicate']);
    expect(plan.entries).toEqual([]);
    expect(plan.accounts).toEqual([]);
  });

  it('refuses the same event_id with another amount, user or source as a conflict, naming the difference', () => {
    const recorded = new Map([
      [
        'c1',
        {
          event_id: 'c1',
          user_id: 'u1',
          source: 'chat',
          direction: 'expense' as const,
          amount: -10n,
        },
      ],
    ]);
    const plan = planMovements(accounts(), recorded, [
      charge('c1', 11n),
      charge('c1', 10n, 'u2'),
      { ...charge('c1', 10n), source: 'tts' },
      grant('c1', 10n),
    ]);
    expect(plan.outcomes.map((o) => o.kind)).toEqual([
      'conflict',
      'conflict',
      'conflict',
      'conflict',
    ]);
    const reasons = plan.outcomes.map((o) => (o.kind === 'conflict' ? o.reason : ''));
    expect(reasons[0]).toContain('amount -10 ≠ -11');
    expect(reasons[1]).toContain('user_id u1 ≠ u2');
    expect(reasons[2]).toContain('source chat ≠ tts');
    expect(reasons[3]).toContain('direction expense ≠ income');
    expect(plan.entries).toEqual([]);
  });

  it('treats a repeat inside the same batch like a repeat of a recorded entry', () => {
    const plan = planMovements(accounts(), noEntries, [
      grant('g1', 50n),
      grant('g1', 50n),
      grant('g1', 60n),
    ]);
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['applied', 'duplicate', 'conflict']);
    expect(plan.entries).toHaveLength(1);
    expect(plan.accounts[0].balance).toBe(50n);
  });

  it('keeps each account its own chain when a batch mixes users', () => {
    const plan = planMovements(
      accounts({ ...emptyAccount('a'), balance: 10n }, { ...emptyAccount('b'), balance: 100n }),
      noEntries,
      [charge('1', 1n, 'a'), charge('2', 2n, 'b'), charge('3', 3n, 'a')],
    );
    expect(plan.entries.map((e) => `${e.user_id}:${e.balance_before}->${e.balance_after}`)).toEqual(
      ['a:10->9', 'b:100->98', 'a:9->6'],
    );
  });

  it('stays exact beyond 2^53, where floating point would round', () => {
    const big = 2n ** 60n;
    const plan = planMovements(accounts({ ...emptyAccount('u1'), balance: big }), noEntries, [
      charge('c1', 1n),
    ]);
    expect(plan.accounts[0].balance).toBe(big - 1n);
  });
});
