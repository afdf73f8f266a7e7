import { ErrorCode } from '@tally/contracts';
import type { Movement } from './ledger-entry';
import { refundAmount, refundParts, RefundTarget } from './refund-target';

const charge = (amount: bigint, allocations: [string, bigint][], refunded = 0n): RefundTarget => ({
  event_id: 'c1',
  user_id: 'u1',
  source: 'video',
  direction: 'expense',
  amount: -amount,
  status: 'applied',
  allocations: allocations.map(([grant, a]) => ({ grant, amount: a })),
  refunded,
});
const refund = (amount: bigint | null, user = 'u1'): Movement => ({
  event_id: 'r1',
  user_id: user,
  source: 'refund',
  direction: 'income',
  amount: amount ?? 0n,
  refund: { of: 'c1', whole: amount === null },
});

describe('refundParts: latest drawn first', () => {
  it('gives the overdraft back first, then the grants in reverse order of drawing', () => {
    const target = charge(180n, [
      ['A', 50n],
      ['B', 100n],
    ]);
    expect(refundParts(target, 40n)).toEqual([
      { grant: null, amount: 30n },
      { grant: 'B', amount: 10n },
    ]);
  });

  it('skips what earlier refunds took', () => {
    const target = charge(
      180n,
      [
        ['A', 50n],
        ['B', 100n],
      ],
      40n,
    );
    expect(refundParts(target, 140n)).toEqual([
      { grant: 'B', amount: 90n },
      { grant: 'A', amount: 50n },
    ]);
  });
});

describe('refundAmount', () => {
  it('defaults to what is left, and refuses past the charge', () => {
    const target = charge(30n, [['A', 30n]], 20n);
    expect(refundAmount(target, refund(null))).toEqual({ amount: 10n });
    expect(refundAmount(target, refund(11n))).toMatchObject({
      refusal: { code: ErrorCode.RefundExceedsCharge },
    });
    expect(refundAmount(charge(30n, [], 30n), refund(null))).toMatchObject({
      refusal: { code: ErrorCode.RefundExceedsCharge },
    });
  });

  it('refuses an unknown charge, another user’s, and a non-charge', () => {
    const unknown = { refusal: { code: ErrorCode.RefundOfUnknown } };
    expect(refundAmount(undefined, refund(1n))).toMatchObject(unknown);
    expect(refundAmount(charge(30n, []), refund(1n, 'u2'))).toMatchObject(unknown);
    expect(refundAmount({ ...charge(30n, []), source: 'expire' }, refund(1n))).toMatchObject(
      unknown,
    );
    expect(
      refundAmount({ ...charge(30n, []), direction: 'income', amount: 30n }, refund(1n)),
    ).toMatchObject(unknown);
  });
});
