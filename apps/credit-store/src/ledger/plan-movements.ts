import { AccountBalance, emptyAccount, totalFor } from './account-balance';
import type { LedgerEntry, Movement, NewLedgerEntry } from './ledger-entry';

/** What an entry already recorded under an event_id says, for comparing with a repeat. */
export type RecordedEntry = Pick<
  LedgerEntry,
  'event_id' | 'user_id' | 'source' | 'direction' | 'amount'
>;

export type MovementOutcome<E extends RecordedEntry = RecordedEntry> =
  | { kind: 'applied'; movement: Movement; entry: NewLedgerEntry }
  | { kind: 'duplicate'; movement: Movement; entry: E | NewLedgerEntry }
  | { kind: 'conflict'; movement: Movement; entry: E | NewLedgerEntry; reason: string };

export interface LedgerPlan<E extends RecordedEntry = RecordedEntry> {
  entries: NewLedgerEntry[];
  /** Accounts whose balance changed, with their new state. */
  accounts: AccountBalance[];
  /** One per movement, in order. */
  outcomes: MovementOutcome<E>[];
}

export function signedAmount(movement: Movement): bigint {
  return movement.direction === 'income' ? movement.amount : -movement.amount;
}

/** Why a repeat of an event_id is not the same movement, or undefined when it is. */
export function conflictReason(recorded: RecordedEntry, movement: Movement): string | undefined {
  const differences = [
    recorded.user_id !== movement.user_id && `user_id ${recorded.user_id} ≠ ${movement.user_id}`,
    recorded.source !== movement.source && `source ${recorded.source} ≠ ${movement.source}`,
    recorded.direction !== movement.direction &&
      `direction ${recorded.direction} ≠ ${movement.direction}`,
    recorded.amount !== signedAmount(movement) &&
      `amount ${recorded.amount} ≠ ${signedAmount(movement)}`,
  ].filter((difference): difference is string => typeof difference === 'string');
  return differences.length
    ? `event_id ${movement.event_id} already recorded with ${differences.join(', ')}`
    : undefined;
}

/**
 * The ledger arithmetic, free of I/O: given the locked accounts and the entries already recorded
 * under the movements' event_ids, decides for each movement (in order) whether it is applied, a
 * duplicate or a conflict, and computes the new entries (balance_before/after chained per account)
 * and account states. Post-paid: an expense is applied even when it takes the balance below zero.
 */
export function planMovements<E extends RecordedEntry>(
  lockedAccounts: ReadonlyMap<string, AccountBalance>,
  recorded: ReadonlyMap<string, E>,
  movements: readonly Movement[],
): LedgerPlan<E> {
  const accounts = new Map<string, AccountBalance>();
  const seen = new Map<string, E | NewLedgerEntry>(recorded);
  const entries: NewLedgerEntry[] = [];
  const outcomes: MovementOutcome<E>[] = [];

  for (const movement of movements) {
    const previous = seen.get(movement.event_id);
    if (previous) {
      const reason = conflictReason(previous, movement);
      outcomes.push(
        reason
          ? { kind: 'conflict', movement, entry: previous, reason }
          : { kind: 'duplicate', movement, entry: previous },
      );
      continue;
    }
    const account =
      accounts.get(movement.user_id) ??
      lockedAccounts.get(movement.user_id) ??
      emptyAccount(movement.user_id);
    const amount = signedAmount(movement);
    const total = totalFor(movement.direction, movement.source);
    const entry: NewLedgerEntry = {
      event_id: movement.event_id,
      user_id: movement.user_id,
      source: movement.source,
      direction: movement.direction,
      amount,
      balance_before: account.balance,
      balance_after: account.balance + amount,
      status: 'applied',
      description: movement.description ?? null,
      metadata: movement.metadata ?? {},
      pricing: movement.pricing ?? null,
      source_ref_id: movement.source_ref_id ?? null,
      order_id: movement.order_id ?? null,
      hold_id: movement.hold_id ?? null,
      occurred_at: movement.occurred_at ?? null,
    };
    accounts.set(movement.user_id, {
      ...account,
      balance: entry.balance_after,
      [total]: account[total] + movement.amount,
      version: account.version + 1n,
    });
    entries.push(entry);
    seen.set(movement.event_id, entry);
    outcomes.push({ kind: 'applied', movement, entry });
  }
  return { entries, accounts: [...accounts.values()], outcomes };
}
