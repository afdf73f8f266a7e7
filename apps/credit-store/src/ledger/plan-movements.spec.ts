import { isBlocked } from '@tally/contracts';
import { AccountBalance, emptyAccount } from './accounts/account-balance';
import type { Movement } from './entries/ledger-entry';
import { ErrorCode } from '@tally/contracts';
import type { Grant } from './grants/grant';
import type { Hold } from './holds/hold';
import { expiryEventId, planMovements, RecordedEntry } from './plan-movements';

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
const NOW = new Date('2026-06-01T00:00:00Z');

function plan(
  locked: Map<string, AccountBalance>,
  recorded: Map<string, RecordedEntry>,
  movements: Movement[],
  extra: { grants?: Grant[]; holds?: Hold[] } = {},
) {
  const grants = new Map<string, Grant[]>();
  for (const g of extra.grants ?? []) grants.set(g.user_id, [...(grants.get(g.user_id) ?? []), g]);
  const holds = new Map((extra.holds ?? []).map((h) => [h.hold_id, h]));
  return planMovements({ accounts: locked, grants, holds, recorded, now: NOW }, movements);
}

let seq = 0n;
const aGrant = (event_id: string, remaining: bigint, expires_at: string | null): Grant => ({
  event_id,
  user_id: 'u1',
  source: 'gift',
  amount: remaining,
  debt_covered: 0n,
  remaining,
  expires_at: expires_at === null ? null : new Date(expires_at),
  seq: ++seq,
});
const aHold = (hold_id: string, status: Hold['status'], extra: Partial<Hold> = {}): Hold => ({
  hold_id,
  user_id: 'u1',
  amount: 50n,
  status,
  expires_at: new Date('2026-06-01T00:30:00Z'),
  capture_event_id: status === 'captured' ? 'earlier' : null,
  captured_amount: status === 'captured' ? 50n : null,
  description: null,
  created_at: NOW,
  closed_at: status === 'open' ? null : NOW,
  ...extra,
});
const funded = (balance: bigint) => accounts({ ...emptyAccount('u1'), balance, version: 1n });

describe('planMovements', () => {
  it('chains balance_before/after through consecutive entries of one account', () => {
    const start = { ...emptyAccount('u1'), balance: 1000n, total_recharged: 1000n, version: 1n };
    const result = plan(accounts(start), noEntries, [
      charge('c1', 10n),
      charge('c2', 20n),
      charge('c3', 30n),
    ]);
    expect(result.entries.map((e) => [e.balance_before, e.amount, e.balance_after])).toEqual([
      [1000n, -10n, 990n],
      [990n, -20n, 970n],
      [970n, -30n, 940n],
    ]);
    expect(result.accounts).toEqual([
      { ...start, balance: 940n, total_consumed: 60n, version: 4n },
    ]);
  });

  it('adds income to the right total: purchase to recharged, other sources to rewarded', () => {
    const result = plan(accounts(), noEntries, [
      grant('g1', 100n, 'purchase'),
      grant('g2', 7n, 'reward'),
      grant('g3', 5n, 'compensation'),
    ]);
    const [account] = result.accounts;
    expect(account.balance).toBe(112n);
    expect(account.total_recharged).toBe(100n);
    expect(account.total_rewarded).toBe(12n);
    expect(account.total_consumed).toBe(0n);
  });

  it('applies a post-paid charge below zero and the account becomes blocked', () => {
    const start = { ...emptyAccount('u1'), balance: 5n, total_rewarded: 5n };
    const result = plan(accounts(start), noEntries, [charge('c1', 8n)]);
    expect(result.outcomes[0].kind).toBe('applied');
    expect(result.accounts[0].balance).toBe(-3n);
    expect(isBlocked(result.accounts[0].balance)).toBe(true);
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
    const result = plan(accounts({ ...emptyAccount('u1'), balance: 90n }), recorded, [
      charge('c1', 10n),
    ]);
    expect(result.outcomes.map((o) => o.kind)).toEqual(['duplicate']);
    expect(result.entries).toEqual([]);
    expect(result.accounts).toEqual([]);
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
    const result = plan(accounts(), recorded, [
      charge('c1', 11n),
      charge('c1', 10n, 'u2'),
      { ...charge('c1', 10n), source: 'tts' },
      grant('c1', 10n),
    ]);
    expect(result.outcomes.map((o) => o.kind)).toEqual([
      'conflict',
      'conflict',
      'conflict',
      'conflict',
    ]);
    const reasons = result.outcomes.map((o) => (o.kind === 'conflict' ? o.reason : ''));
    expect(reasons[0]).toContain('amount -10 ≠ -11');
    expect(reasons[1]).toContain('user_id u1 ≠ u2');
    expect(reasons[2]).toContain('source chat ≠ tts');
    expect(reasons[3]).toContain('direction expense ≠ income');
    expect(result.entries).toEqual([]);
  });

  it('treats a repeat inside the same batch like a repeat of a recorded entry', () => {
    const result = plan(accounts(), noEntries, [
      grant('g1', 50n),
      grant('g1', 50n),
      grant('g1', 60n),
    ]);
    expect(result.outcomes.map((o) => o.kind)).toEqual(['applied', 'duplicate', 'conflict']);
    expect(result.entries).toHaveLength(1);
    expect(result.accounts[0].balance).toBe(50n);
  });

  it('keeps each account its own chain when a batch mixes users', () => {
    const result = plan(
      accounts({ ...emptyAccount('a'), balance: 10n }, { ...emptyAccount('b'), balance: 100n }),
      noEntries,
      [charge('1', 1n, 'a'), charge('2', 2n, 'b'), charge('3', 3n, 'a')],
    );
    expect(
      result.entries.map((e) => `${e.user_id}:${e.balance_before}->${e.balance_after}`),
    ).toEqual(['a:10->9', 'b:100->98', 'a:9->6']);
  });

  it('stays exact beyond 2^53, where floating point would round', () => {
    const big = 2n ** 60n;
    const result = plan(accounts({ ...emptyAccount('u1'), balance: big }), noEntries, [
      charge('c1', 1n),
    ]);
    expect(result.accounts[0].balance).toBe(big - 1n);
  });

  describe('grants', () => {
    it('spends the grant that expires first, then later ones, never-expiring last', () => {
      const grants = [
        aGrant('never', 100n, null),
        aGrant('late', 100n, '2027-01-01T00:00:00Z'),
        aGrant('soon', 30n, '2026-07-01T00:00:00Z'),
      ];
      const result = plan(funded(230n), noEntries, [charge('c1', 150n)], { grants });
      expect(result.entries[0].allocations).toEqual([
        { grant: 'soon', amount: 30n },
        { grant: 'late', amount: 100n },
        { grant: 'never', amount: 20n },
      ]);
      const remaining = Object.fromEntries(
        result.grants.map((c) => [c.grant.event_id, c.grant.remaining]),
      );
      expect(remaining).toEqual({ soon: 0n, late: 0n, never: 80n });
    });

    it('breaks ties between grants expiring together by creation order', () => {
      const grants = [aGrant('first', 10n, null), aGrant('second', 10n, null)];
      const result = plan(funded(20n), noEntries, [charge('c1', 15n)], { grants });
      expect(result.entries[0].allocations).toEqual([
        { grant: 'first', amount: 10n },
        { grant: 'second', amount: 5n },
      ]);
    });

    it('lets a charge beyond the grants go into overdraft, recording only what grants paid', () => {
      const result = plan(funded(10n), noEntries, [charge('c1', 25n)], {
        grants: [aGrant('g', 10n, null)],
      });
      expect(result.entries[0].allocations).toEqual([{ grant: 'g', amount: 10n }]);
      expect(result.accounts[0].balance).toBe(-15n);
    });

    it('makes an income pay back an overdraft first and grants only the rest', () => {
      const result = plan(funded(-30n), noEntries, [
        { ...grant('g1', 100n, 'gift'), expires_at: null },
        { ...grant('g2', 20n, 'gift'), expires_at: null },
      ]);
      const [g1, g2] = result.grants.map((c) => c.grant);
      expect([g1.debt_covered, g1.remaining]).toEqual([30n, 70n]);
      expect([g2.debt_covered, g2.remaining]).toEqual([0n, 20n]);
      expect(result.accounts[0].balance).toBe(90n);
    });

    it('turns an income smaller than the debt entirely into repayment', () => {
      const result = plan(funded(-30n), noEntries, [grant('g1', 10n, 'gift')]);
      expect(result.grants[0].grant).toMatchObject({ debt_covered: 10n, remaining: 0n });
      expect(result.accounts[0].balance).toBe(-20n);
    });

    it('writes off an expired grant before the movements, once, as an expire entry', () => {
      const grants = [aGrant('old', 40n, '2026-05-01T00:00:00Z'), aGrant('new', 60n, null)];
      const result = plan(funded(100n), noEntries, [charge('c1', 70n)], { grants });
      expect(result.entries.map((e) => [e.event_id, e.source, e.amount, e.balance_after])).toEqual([
        [expiryEventId('old'), 'expire', -40n, 60n],
        ['c1', 'chat', -70n, -10n],
      ]);
      expect(result.entries[1].allocations).toEqual([{ grant: 'new', amount: 60n }]);
      expect(result.accounts[0]).toMatchObject({ total_expired: 40n, total_consumed: 70n });
      const old = result.grants.find((c) => c.grant.event_id === 'old')!;
      expect(old.expired_at).toEqual(NOW);
    });

    it('expires the grants of a locked account even when no movement names it (the job)', () => {
      const result = plan(funded(5n), noEntries, [], {
        grants: [aGrant('old', 5n, '2026-05-31T23:59:59Z')],
      });
      expect(result.entries).toHaveLength(1);
      expect(result.accounts[0].balance).toBe(0n);
    });
  });

  describe('holds', () => {
    const capture = (event_id: string, amount: bigint, hold_id = 'h1'): Movement => ({
      ...charge(event_id, amount),
      hold_id,
    });

    it('captures an open hold with the actual amount, smaller or larger than reserved', () => {
      const result = plan(funded(100n), noEntries, [capture('c1', 80n)], {
        holds: [aHold('h1', 'open')],
      });
      expect(result.outcomes[0].kind).toBe('applied');
      expect(result.captures).toEqual([{ hold_id: 'h1', event_id: 'c1', amount: 80n }]);
      expect(result.accounts[0].balance).toBe(20n);
    });

    it('refuses a second capture of the same hold, in the same batch or later', () => {
      const sameBatch = plan(funded(100n), noEntries, [capture('c1', 10n), capture('c2', 10n)], {
        holds: [aHold('h1', 'open')],
      });
      expect(sameBatch.outcomes.map((o) => o.kind)).toEqual(['applied', 'refused']);
      const later = plan(funded(100n), noEntries, [capture('c2', 10n)], {
        holds: [aHold('h1', 'captured')],
      });
      const outcome = later.outcomes[0];
      expect(outcome.kind === 'refused' && outcome.refusal.code).toBe(ErrorCode.HoldNotOpen);
      expect(later.entries).toEqual([]);
    });

    it('refuses to capture a voided hold, and one that is unknown or another user’s', () => {
      const result = plan(
        funded(100n),
        noEntries,
        [capture('c1', 10n, 'voided'), capture('c2', 10n, 'missing'), capture('c3', 10n, 'theirs')],
        { holds: [aHold('voided', 'voided'), aHold('theirs', 'open', { user_id: 'u2' })] },
      );
      expect(result.outcomes.map((o) => (o.kind === 'refused' ? o.refusal.code : o.kind))).toEqual([
        ErrorCode.HoldNotOpen,
        ErrorCode.NotFound,
        ErrorCode.NotFound,
      ]);
      expect(result.entries).toEqual([]);
    });

    it('charges an expired hold’s capture post-paid and closes the hold as captured', () => {
      const result = plan(funded(5n), noEntries, [capture('c1', 20n)], {
        holds: [aHold('h1', 'expired')],
      });
      expect(result.outcomes[0].kind).toBe('applied');
      expect(result.captures).toHaveLength(1);
      expect(result.accounts[0].balance).toBe(-15n);
    });

    it('releases a hold captured by a free charge, and treats its redelivery as done', () => {
      const first = plan(funded(100n), noEntries, [capture('free1', 0n)], {
        holds: [aHold('h1', 'open')],
      });
      expect(first.outcomes[0].kind).toBe('unpriced');
      expect(first.captures).toEqual([{ hold_id: 'h1', event_id: 'free1', amount: 0n }]);
      expect(first.entries).toEqual([]);
      const again = plan(funded(100n), noEntries, [capture('free1', 0n)], {
        holds: [aHold('h1', 'captured', { capture_event_id: 'free1', captured_amount: 0n })],
      });
      expect(again.outcomes[0].kind).toBe('unpriced');
      expect(again.captures).toEqual([]);
    });
  });
});

describe('planMovements: refunds and voids', () => {
  const refundOf = (event_id: string, of: string, amount: bigint | null): Movement => ({
    event_id,
    user_id: 'u1',
    source: 'refund',
    direction: 'income',
    amount: amount ?? 0n,
    refund: { of, whole: amount === null },
  });

  it('refunds a charge planned in the same batch, back to the grant it drew from', () => {
    const g = aGrant('g1', 100n, '2026-07-01T00:00:00Z');
    const result = plan(
      accounts({ ...emptyAccount('u1'), balance: 100n, total_rewarded: 100n }),
      noEntries,
      [charge('c1', 40n), refundOf('r1', 'c1', null)],
      { grants: [g] },
    );
    expect(result.outcomes.map((o) => o.kind)).toEqual(['applied', 'applied']);
    expect(result.entries[1]).toMatchObject({
      source: 'refund',
      amount: 40n,
      source_ref_id: 'c1',
      allocations: [{ grant: 'g1', amount: 40n }],
    });
    expect(result.grants.find((c) => c.grant.event_id === 'g1')!.grant.remaining).toBe(100n);
    expect(result.accounts[0]).toMatchObject({ balance: 100n, total_refunded: 40n });
  });

  it('writes off again at once what goes back to an expired grant', () => {
    const expired = { ...aGrant('g1', 0n, '2026-05-01T00:00:00Z'), amount: 30n };
    const result = planMovements(
      {
        accounts: accounts({ ...emptyAccount('u1'), balance: 0n }),
        grants: new Map(),
        holds: new Map(),
        recorded: noEntries,
        targets: new Map([
          [
            'c1',
            {
              event_id: 'c1',
              user_id: 'u1',
              source: 'chat',
              direction: 'expense',
              amount: -30n,
              status: 'applied',
              allocations: [{ grant: 'g1', amount: 30n }],
              refunded: 0n,
            },
          ],
        ]),
        named: new Map([['g1', expired]]),
        now: NOW,
      },
      [refundOf('r1', 'c1', 20n)],
    );
    expect(result.entries.map((e) => [e.event_id, e.source, e.amount])).toEqual([
      ['r1', 'refund', 20n],
      ['tally:refund-expire:r1', 'expire', -20n],
    ]);
    expect(result.accounts[0]).toMatchObject({ balance: 0n, total_expired: 20n });
  });

  it('marks the grant an order refund takes back, and gives it no credits back later', () => {
    const order = { ...aGrant('tally:order:o1', 60n, null), value_cent: 600n, currency: 'EUR' };
    const gift = aGrant('gift', 50n, null);
    const state = {
      accounts: accounts({ ...emptyAccount('u1'), balance: 110n }),
      grants: new Map([['u1', [order, gift]]]),
      holds: new Map(),
      recorded: noEntries,
      now: NOW,
    };
    const orderRefund: Movement = {
      event_id: 'tally:order-refund:o1',
      user_id: 'u1',
      source: 'order_refund',
      direction: 'expense',
      amount: 100n,
      draw_first: 'tally:order:o1',
    };
    const taken = planMovements(state, [orderRefund]);
    const marked = taken.grants.find((c) => c.grant.event_id === 'tally:order:o1')!;
    expect(marked).toMatchObject({ refunded_at: NOW, grant: { remaining: 0n } });

    // A charge had drawn 40 from the order's grant; refunded now, its 40 come back as the
    // refund's own grant, worth nothing, and move no value.
    const result = planMovements(
      {
        ...state,
        accounts: accounts({ ...emptyAccount('u1'), balance: 10n }),
        grants: new Map([['u1', [{ ...gift, remaining: 10n }]]]),
        targets: new Map([
          [
            'c1',
            {
              event_id: 'c1',
              user_id: 'u1',
              source: 'chat',
              direction: 'expense',
              amount: -40n,
              status: 'applied',
              allocations: [{ grant: 'tally:order:o1', amount: 40n }],
              refunded: 0n,
            },
          ],
        ]),
        named: new Map([['tally:order:o1', { ...marked.grant }]]),
      },
      [refundOf('r1', 'c1', null)],
    );
    expect(result.entries).toMatchObject([{ event_id: 'r1', amount: 40n, allocations: [] }]);
    expect(result.grants.map((c) => [c.grant.event_id, c.grant.remaining, c.isNew])).toEqual([
      ['r1', 40n, true],
    ]);
    expect(result.revenue).toEqual([]);
  });

  it('voids what remains of a grant, once', () => {
    const g = aGrant('g1', 70n, null);
    const voidIt: Movement = {
      event_id: 'tally:void:g1',
      user_id: 'u1',
      source: 'void',
      direction: 'expense',
      amount: 0n,
      void_grant: 'g1',
    };
    const result = plan(
      accounts({ ...emptyAccount('u1'), balance: 70n }),
      noEntries,
      [voidIt, voidIt],
      { grants: [g] },
    );
    expect(result.outcomes.map((o) => o.kind)).toEqual(['applied', 'duplicate']);
    expect(result.entries).toHaveLength(1);
    expect(result.accounts[0]).toMatchObject({ balance: 0n, total_expired: 70n });
  });
});
