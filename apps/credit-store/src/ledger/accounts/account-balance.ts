import { EXPIRE_SOURCE, REFUND_SOURCE, VOID_SOURCE } from '@tally/contracts';
import type { Direction } from '../entries/ledger-entry';

export interface AccountBalance {
  user_id: string;
  balance: bigint;
  total_recharged: bigint;
  total_rewarded: bigint;
  total_consumed: bigint;
  total_expired: bigint;
  total_refunded: bigint;
  /** Bumped by every change, so readers (the gateway's guard) can order snapshots. */
  version: bigint;
}

export type AccountTotal =
  'total_recharged' | 'total_rewarded' | 'total_consumed' | 'total_expired' | 'total_refunded';

export function emptyAccount(userId: string): AccountBalance {
  return {
    user_id: userId,
    balance: 0n,
    total_recharged: 0n,
    total_rewarded: 0n,
    total_consumed: 0n,
    total_expired: 0n,
    total_refunded: 0n,
    version: 0n,
  };
}

/**
 * Which total an entry adds to: purchases are recharges, refunds of charges their own, other
 * income rewards; expiries and voids are written off (expired); every other expense (charges,
 * order refunds) is consumed.
 */
export function totalFor(direction: Direction, source: string): AccountTotal {
  if (direction === 'income') {
    if (source === 'purchase') return 'total_recharged';
    return source === REFUND_SOURCE ? 'total_refunded' : 'total_rewarded';
  }
  return source === EXPIRE_SOURCE || source === VOID_SOURCE ? 'total_expired' : 'total_consumed';
}
