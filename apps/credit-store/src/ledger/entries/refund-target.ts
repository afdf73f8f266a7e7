import { ErrorCode, EXPIRE_SOURCE, ORDER_REFUND_SOURCE, VOID_SOURCE } from '@tally/contracts';
import type { Allocation, LedgerEntry, Movement, Refusal } from './ledger-entry';

/** Expenses the ledger writes itself: not charges, so not refundable. */
const NOT_CHARGES: ReadonlySet<string> = new Set([EXPIRE_SOURCE, VOID_SOURCE, ORDER_REFUND_SOURCE]);

/** A charge as a refund sees it: its entry and how much of it was refunded already. */
export type RefundTarget = Pick<
  LedgerEntry,
  'event_id' | 'user_id' | 'source' | 'direction' | 'amount' | 'status' | 'allocations'
> & { refunded: bigint };

/** One part of a refund: credits going back to the grant they were drawn from (null: overdraft). */
export interface RefundPart {
  grant: string | null;
  amount: bigint;
}

/** How much a refund gives back, or why it may not. */
export function refundAmount(
  target: RefundTarget | undefined,
  movement: Movement,
): { amount: bigint } | { refusal: Refusal } {
  const of = movement.refund!.of;
  if (
    !target ||
    target.user_id !== movement.user_id ||
    target.direction !== 'expense' ||
    NOT_CHARGES.has(target.source)
  ) {
    return {
      refusal: {
        code: ErrorCode.RefundOfUnknown,
        reason: `refund_of ${of} is not a charge of user ${movement.user_id} in the ledger`,
      },
    };
  }
  if (target.status !== 'applied') {
    return {
      refusal: { code: ErrorCode.RefundOfUnknown, reason: `charge ${of} was ${target.status}` },
    };
  }
  const left = -target.amount - target.refunded;
  const amount = movement.refund!.whole ? left : movement.amount;
  if (amount <= 0n || amount > left) {
    return {
      refusal: {
        code: ErrorCode.RefundExceedsCharge,
        reason: `charge ${of} took ${-target.amount} and ${target.refunded} of it was refunded already: ${left} left to refund, ${movement.refund!.whole ? 'nothing' : amount} asked`,
      },
    };
  }
  return { amount };
}

/**
 * Where the next `amount` refunded of a charge goes: the reverse of how it was drawn, latest
 * first. A charge drew its grants in order, then went into overdraft; so a refund first gives back
 * the overdraft, then the grant drawn last, and so on. Refunds already made (`target.refunded`)
 * took the first parts of that order.
 */
export function refundParts(target: RefundTarget, amount: bigint): RefundPart[] {
  const allocations: Allocation[] = target.allocations ?? [];
  const drawn = allocations.reduce((sum, a) => sum + a.amount, 0n);
  const latestFirst: RefundPart[] = [
    { grant: null, amount: -target.amount - drawn },
    ...[...allocations].reverse().map((a) => ({ grant: a.grant, amount: a.amount })),
  ];
  let skip = target.refunded;
  let left = amount;
  const parts: RefundPart[] = [];
  for (const part of latestFirst) {
    const skipped = part.amount < skip ? part.amount : skip;
    skip -= skipped;
    const available = part.amount - skipped;
    const take = available < left ? available : left;
    if (take > 0n) parts.push({ grant: part.grant, amount: take });
    left -= take;
  }
  return parts;
}
