import type { ExpectedCharge } from './topic-workload';
import type { CheckedStack } from './checked-stack';

export interface LedgerReport {
  /** Entries of the workload's source in the ledger. */
  applied: number;
  /** Expected charges with no entry. */
  missing: number;
  /** Entries of the source that no expected charge explains. */
  unexpected: number;
  /** Entries whose user, amount or status is not the expected charge's. */
  wrong: number;
  /** Accounts whose balance is not their grants minus their expected charges. */
  balances: number;
  /** What GET /finance/reconciliation lists (plus one if it does not say ok). */
  reconciliation: number;
  accountsChecked: number;
  mismatches: number;
}

/**
 * Compares the ledger with exactly the charges that should be in it: every expected event_id once,
 * with its user and amount, nothing else of that source, every account's balance equal to its
 * grants minus its charges, and the credit-store's own reconciliation clean.
 */
export async function checkLedger(
  stack: CheckedStack,
  source: string,
  charges: Map<string, ExpectedCharge>,
  grants: Map<string, number>,
): Promise<LedgerReport> {
  const { rows: entries } = await stack.storeDb.query<{
    event_id: string;
    user_id: string;
    amount: string;
    status: string;
  }>(`SELECT event_id, user_id, amount, status FROM ledger_entries WHERE source = $1`, [source]);
  let unexpected = 0;
  let wrong = 0;
  const seen = new Set<string>();
  for (const entry of entries) {
    const charge = charges.get(entry.event_id);
    seen.add(entry.event_id);
    if (!charge) unexpected++;
    else if (
      entry.user_id !== charge.user ||
      BigInt(entry.amount) !== -BigInt(charge.amount) ||
      entry.status !== 'applied'
    )
      wrong++;
  }
  const missing = [...charges.keys()].filter((id) => !seen.has(id)).length;

  const expected = new Map<string, bigint>();
  for (const [user, amount] of grants) expected.set(user, BigInt(amount));
  for (const { user, amount } of charges.values()) {
    expected.set(user, (expected.get(user) ?? 0n) - BigInt(amount));
  }
  const { rows: accounts } = await stack.storeDb.query<{ user_id: string; balance: string }>(
    `SELECT user_id, balance FROM accounts`,
  );
  const actual = new Map(accounts.map((a) => [a.user_id, BigInt(a.balance)]));
  const users = new Set([...expected.keys(), ...actual.keys()]);
  const balances = [...users].filter(
    (user) => (expected.get(user) ?? 0n) !== (actual.get(user) ?? 0n),
  ).length;

  const report = await stack.reconciliation();
  const reconciliation = report.mismatches.length + (report.ok ? 0 : 1);
  return {
    applied: entries.length,
    missing,
    unexpected,
    wrong,
    balances,
    reconciliation,
    accountsChecked: report.accounts_checked,
    mismatches: missing + unexpected + wrong + balances + reconciliation,
  };
}
