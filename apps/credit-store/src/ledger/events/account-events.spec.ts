import type { NewLedgerEntry } from '../entries/ledger-entry';
import { newLedgerEntry } from '../entries/new-ledger-entry.fixture';
import { expiryEventId, voidEventId } from '../plan-movements';
import { accountEventsOf, EventAccount, expiringFactsOf, numberedEventsOf } from './account-events';

const entry = (
  over: Partial<NewLedgerEntry> & { amount: bigint; balance_before: bigint },
): NewLedgerEntry =>
  newLedgerEntry({
    source: 'video',
    direction: over.amount < 0n ? 'expense' : 'income',
    balance_after: over.balance_before + over.amount,
    ...over,
  });

const run = (
  entries: NewLedgerEntry[],
  account: EventAccount = { event_seq: 0n },
  defaultLowBalance: bigint | null = null,
) =>
  accountEventsOf(entries, {
    accounts: new Map([['u', account]]),
    defaultLowBalance,
    movements: new Map(),
  });

describe('accountEventsOf', () => {
  it('makes no event of an ordinary charge', () => {
    expect(
      run([entry({ amount: -5n, balance_before: 100n })], { event_seq: 0n }, 10n).events,
    ).toEqual([]);
  });

  it('sees a crossing below the threshold once, where it happens, and again after the balance is back', () => {
    const entries = [
      entry({ event_id: 'c1', amount: -40n, balance_before: 120n }), // 80: crosses 100
      entry({ event_id: 'c2', amount: -30n, balance_before: 80n }), // 50: already below
      entry({ event_id: 'g', source: 'gift', amount: 60n, balance_before: 50n }), // 110: re-armed
      entry({ event_id: 'c3', amount: -20n, balance_before: 110n }), // 90: crosses again
    ];
    const { events, seqs } = run(entries, { event_seq: 7n, low_balance: 100n });
    expect(events.map((e) => [e.type, e.data.event_id, e.seq])).toEqual([
      ['balance.low', 'c1', 8n],
      ['grant.created', 'g', 9n],
      ['balance.low', 'c3', 10n],
    ]);
    expect(seqs).toEqual(new Map([['u', 10n]]));
  });

  it('takes the account threshold over the default, and null as none', () => {
    const crossing = [entry({ amount: -40n, balance_before: 120n })];
    expect(run(crossing, { event_seq: 0n }, 100n).events).toHaveLength(1);
    expect(run(crossing, { event_seq: 0n, low_balance: null }, 100n).events).toHaveLength(0);
    expect(run(crossing, { event_seq: 0n, low_balance: 50n }, 100n).events).toHaveLength(0);
  });

  it('names the cause: blocked and unblocked, voids, expiries, orders, refunds', () => {
    const { events } = run([
      entry({ event_id: 'p', source: 'purchase', order_id: 'o1', amount: 10n, balance_before: 0n }),
      entry({
        event_id: 'r',
        source: 'refund',
        source_ref_id: 'c',
        amount: 3n,
        balance_before: 10n,
      }),
      entry({
        event_id: voidEventId('g1'),
        source: 'void',
        source_ref_id: 'g1',
        amount: -5n,
        balance_before: 13n,
      }),
      entry({
        event_id: expiryEventId('g2'),
        source: 'expire',
        source_ref_id: 'g2',
        amount: -8n,
        balance_before: 8n,
      }),
      // A refund's write-off of a voided grant is not the grant's void.
      entry({
        event_id: 'tally:refund-void:r',
        source: 'void',
        source_ref_id: 'r',
        amount: -1n,
        balance_before: 0n,
      }),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'grant.created',
      'order.paid',
      'account.unblocked',
      'charge.refunded',
      'grant.voided',
      'grant.expired',
      'account.blocked',
    ]);
    expect(events.map((e) => e.seq)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(events[3].data).toMatchObject({ charge_event_id: 'c', amount: 3, balance_after: 13 });
    expect(events[5].data).toMatchObject({ grant_id: 'g2', amount: 8, balance_after: 0 });
  });

  it('gives a fact the same id however often it is computed, another fact another id', () => {
    const one = run([entry({ event_id: 'x', amount: -40n, balance_before: 120n })], {
      event_seq: 0n,
      low_balance: 100n,
    });
    const again = run([entry({ event_id: 'x', amount: -40n, balance_before: 120n })], {
      event_seq: 0n,
      low_balance: 100n,
    });
    const other = run([entry({ event_id: 'y', amount: -40n, balance_before: 120n })], {
      event_seq: 0n,
      low_balance: 100n,
    });
    expect(one.events[0].id).toBe(again.events[0].id);
    expect(one.events[0].id).not.toBe(other.events[0].id);
    expect(one.events[0].id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('expiringFactsOf, numbered', () => {
  it("numbers each user's grant.expiring on from its seq, with the grant and the balance", () => {
    const expires_at = new Date('2026-12-08T09:00:00Z');
    const grant = (event_id: string, user_id: string) => ({
      event_id,
      user_id,
      remaining: 70n,
      expires_at,
    });
    const accounts = new Map([
      ['u', { event_seq: 4n, balance: 90n }],
      ['v', { event_seq: 0n, balance: 70n }],
    ]);
    const expiring = (grants: ReturnType<typeof grant>[], on = accounts) =>
      numberedEventsOf(expiringFactsOf(grants, on), on);
    const { events, seqs } = expiring([grant('g-1', 'u'), grant('g-2', 'u'), grant('g-3', 'v')]);
    expect(events.map((e) => [e.user_id, e.seq, e.type])).toEqual([
      ['u', 5n, 'grant.expiring'],
      ['u', 6n, 'grant.expiring'],
      ['v', 1n, 'grant.expiring'],
    ]);
    expect(events[0].data).toEqual({
      event_id: 'g-1',
      grant_id: 'g-1',
      amount_remaining: 70,
      expires_at: '2026-12-08T09:00:00.000Z',
      balance: 90,
    });
    expect(seqs).toEqual(
      new Map([
        ['u', 6n],
        ['v', 1n],
      ]),
    );
    expect(expiring([grant('g-1', 'u')], new Map()).events[0].id).toBe(events[0].id);
  });
});
