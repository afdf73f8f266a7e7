import type { AccountBalance } from './account-balance';
import type { Movement } from '../entries/ledger-entry';

/** An account as saved after a ledger transaction: its balance and the charges it has taken in. */
export interface SavedAccount extends AccountBalance {
  /** The highest producer sequence among the charges taken in (see ChargeRequestedPayload). */
  charge_sequence: bigint;
  /** Whether its money changed (false: only charge_sequence moved, for a repeat or a refusal). */
  moved: boolean;
}

/**
 * What to save of the accounts a batch touched, in one write: the accounts the plan changed, and
 * those whose charge_sequence moves forward even though no money moved (repeats and refusals are
 * taken in too), each with a new version so that their snapshot goes out.
 */
export function accountsToSave(
  changed: readonly AccountBalance[],
  locked: ReadonlyMap<string, AccountBalance & { charge_sequence: bigint }>,
  movements: readonly Pick<Movement, 'user_id' | 'charge_sequence'>[],
): SavedAccount[] {
  const highest = new Map<string, bigint>();
  for (const { user_id, charge_sequence } of movements) {
    if (charge_sequence === undefined) continue;
    const sequence = BigInt(charge_sequence);
    if (sequence > (highest.get(user_id) ?? 0n)) highest.set(user_id, sequence);
  }
  const sequenceOf = (userId: string) => {
    const current = locked.get(userId)?.charge_sequence ?? 0n;
    const taken = highest.get(userId) ?? 0n;
    return taken > current ? taken : current;
  };
  const saved = new Map<string, SavedAccount>(
    changed.map((account) => [
      account.user_id,
      { ...account, charge_sequence: sequenceOf(account.user_id), moved: true },
    ]),
  );
  for (const [userId, sequence] of highest) {
    const account = locked.get(userId);
    if (saved.has(userId) || !account || sequence <= account.charge_sequence) continue;
    saved.set(userId, {
      ...account,
      version: account.version + 1n,
      charge_sequence: sequence,
      moved: false,
    });
  }
  return [...saved.values()];
}
