import { isBlocked, jsonAmount } from '@tally/contracts';
import type { AccountRecord } from '../ledger/accounts/account.repository';

/**
 * An account as clients see it; an unknown user has a zero (and so blocked) account, told apart
 * from an emptied one by `updated_at: null` (no entry ever).
 */
export function accountView(
  userId: string,
  account: (AccountRecord & { has_entries: boolean }) | undefined,
) {
  return {
    user_id: userId,
    balance: jsonAmount(account?.balance ?? 0n),
    total_recharged: jsonAmount(account?.total_recharged ?? 0n),
    total_rewarded: jsonAmount(account?.total_rewarded ?? 0n),
    total_consumed: jsonAmount(account?.total_consumed ?? 0n),
    total_expired: jsonAmount(account?.total_expired ?? 0n),
    total_refunded: jsonAmount(account?.total_refunded ?? 0n),
    blocked: isBlocked(account?.balance ?? 0n),
    version: jsonAmount(account?.version ?? 0n),
    updated_at: account?.has_entries ? account.updated_at.toISOString() : null,
  };
}
