import { newLedgerEntry } from '../ledger/entries/new-ledger-entry.fixture';
import type { Order } from '../orders/order';
import {
  AutoTopup,
  crossingsOf,
  decide,
  limitReachedFact,
  monthStart,
  requestedFact,
  utcMonth,
} from './auto-topup';

const setting = (over: Partial<AutoTopup> = {}): AutoTopup => ({
  user_id: 'u',
  threshold: 100n,
  product_id: 7,
  max_per_month: 2,
  limit_reached_month: null,
  ...over,
});
const debit = (event_id: string, before: bigint, after: bigint, user_id = 'u') =>
  newLedgerEntry({
    event_id,
    user_id,
    amount: after - before,
    balance_before: before,
    balance_after: after,
  });

describe('crossingsOf', () => {
  it("takes each user's first entry from at or above the threshold to below it", () => {
    const settings = new Map([
      ['u', setting()],
      ['v', setting({ user_id: 'v', threshold: 10n })],
    ]);
    const crossings = crossingsOf(
      [
        debit('a', 300n, 150n),
        debit('b', 150n, 100n),
        debit('c', 100n, 99n),
        debit('d', 120n, 50n),
        debit('e', 20n, 5n, 'v'),
        debit('f', 20n, 5n, 'w'),
      ],
      settings,
    );
    expect(crossings.map((c) => c.entry.event_id)).toEqual(['c', 'e']);
  });

  it('sees nothing in a debit that starts below the threshold or an income', () => {
    const settings = new Map([['u', setting()]]);
    expect(crossingsOf([debit('a', 99n, 10n), debit('b', 10n, 200n)], settings)).toEqual([]);
  });
});

describe('decide', () => {
  it('orders unless one is open; past the cap, tells the limit once a month', () => {
    expect(decide(setting(), { open: null, paid: 1 }, '2026-12')).toBe('order');
    expect(decide(setting(), { open: 'o-1', paid: 0 }, '2026-12')).toBe('nothing');
    expect(decide(setting(), { open: null, paid: 2 }, '2026-12')).toBe('limit_reached');
    const told = setting({ limit_reached_month: '2026-12' });
    expect(decide(told, { open: null, paid: 2 }, '2026-12')).toBe('nothing');
    expect(decide(told, { open: null, paid: 2 }, '2027-01')).toBe('limit_reached');
  });
});

describe('UTC months', () => {
  it('cuts at midnight UTC on the first', () => {
    expect(utcMonth(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(utcMonth(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01');
    expect(monthStart(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
  });
});

describe('facts', () => {
  const crossing = { entry: debit('evt-1', 120n, 80n), setting: setting() };

  it('auto_topup.requested names the order, the product, its credits and price; keyed by the order', () => {
    const order = { order_id: 'o-1', credit_amount: 500, amount_cent: 999, currency: 'USD' };
    expect(requestedFact(crossing, order as Order)).toEqual({
      user_id: 'u',
      key: 'o-1',
      type: 'auto_topup.requested',
      data: {
        event_id: 'evt-1',
        order_id: 'o-1',
        product_id: 7,
        amount: 500,
        price: 999,
        currency: 'USD',
        threshold: 100,
        balance_after: 80,
      },
    });
  });

  it('auto_topup.limit_reached is keyed by the month and the crossing', () => {
    expect(limitReachedFact(crossing, '2026-12')).toEqual({
      user_id: 'u',
      key: 'limit:2026-12:evt-1',
      type: 'auto_topup.limit_reached',
      data: {
        event_id: 'evt-1',
        product_id: 7,
        max_per_month: 2,
        month: '2026-12',
        threshold: 100,
        balance_after: 80,
      },
    });
  });
});
