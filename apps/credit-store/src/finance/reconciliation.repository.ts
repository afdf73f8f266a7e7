import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface Mismatch {
  user_id: string;
  check: string;
  /** What the check is about when it is not the account itself (an entry's or grant's event_id). */
  ref: string | null;
  expected: string;
  actual: string;
}

/**
 * Every invariant of the ledger (SPEC §1), each as one query that returns the rows breaking it
 * (named by its key, or by the row's own `check` when one query serves two).
 * `users` narrows the checks to some accounts (null: all of them).
 */
const CHECKS: Record<string, string> = {
  // The balance is the sum of the applied entries.
  balance_is_sum_of_entries: `
    SELECT a.user_id, NULL AS ref, COALESCE(s.total, 0)::text AS expected, a.balance::text AS actual
      FROM accounts a
      LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM ledger_entries
                  WHERE status = 'applied' GROUP BY user_id) s USING (user_id)
     WHERE ($1::text[] IS NULL OR a.user_id = ANY($1)) AND a.balance <> COALESCE(s.total, 0)`,

  // Each entry starts where the previous one of its account ended (the first one at zero).
  entries_chain: `
    SELECT user_id, event_id AS ref, expected::text, balance_before::text AS actual
      FROM (SELECT user_id, event_id, balance_before,
                   COALESCE(LAG(balance_after) OVER (PARTITION BY user_id ORDER BY id), 0) AS expected
              FROM ledger_entries WHERE ($1::text[] IS NULL OR user_id = ANY($1))) e
     WHERE balance_before <> expected`,

  // The totals match their entries (voids are written off like expiries).
  totals_match_entries: `
    SELECT a.user_id, t.name AS ref, t.expected::text, t.actual::text
      FROM accounts a
      LEFT JOIN (SELECT user_id,
                   SUM(amount) FILTER (WHERE direction = 'income' AND source = 'purchase') AS recharged,
                   SUM(amount) FILTER (WHERE direction = 'income' AND source NOT IN ('purchase', 'refund'))
                     AS rewarded,
                   SUM(amount) FILTER (WHERE direction = 'income' AND source = 'refund') AS refunded,
                   -SUM(amount) FILTER (WHERE direction = 'expense' AND source NOT IN ('expire', 'void'))
                     AS consumed,
                   -SUM(amount) FILTER (WHERE direction = 'expense' AND source IN ('expire', 'void'))
                     AS expired
                   FROM ledger_entries WHERE status = 'applied' GROUP BY user_id) s USING (user_id)
     CROSS JOIN LATERAL (VALUES
        ('total_recharged', COALESCE(s.recharged, 0), a.total_recharged),
        ('total_rewarded', COALESCE(s.rewarded, 0), a.total_rewarded),
        ('total_consumed', COALESCE(s.consumed, 0), a.total_consumed),
        ('total_expired', COALESCE(s.expired, 0), a.total_expired),
        ('total_refunded', COALESCE(s.refunded, 0), a.total_refunded)) AS t (name, expected, actual)
     WHERE ($1::text[] IS NULL OR a.user_id = ANY($1)) AND t.expected <> t.actual`,

  // What the grants still hold is what the account can spend (nothing while in overdraft).
  grants_remaining_is_balance: `
    SELECT a.user_id, NULL AS ref, GREATEST(a.balance, 0)::text AS expected,
           COALESCE(g.remaining, 0)::text AS actual
      FROM accounts a
      LEFT JOIN (SELECT user_id, SUM(remaining) AS remaining FROM grants GROUP BY user_id) g
             USING (user_id)
     WHERE ($1::text[] IS NULL OR a.user_id = ANY($1))
       AND COALESCE(g.remaining, 0) <> GREATEST(a.balance, 0)`,

  // Every income made exactly its grant (a refund gives its credits back to its charge's grants).
  income_has_grant: `
    SELECT e.user_id, e.event_id AS ref, e.amount::text AS expected,
           COALESCE(g.amount::text, 'no grant') AS actual
      FROM ledger_entries e LEFT JOIN grants g USING (event_id)
     WHERE ($1::text[] IS NULL OR e.user_id = ANY($1)) AND e.direction = 'income'
       AND e.source <> 'refund'
       AND (g.amount IS NULL OR g.amount <> e.amount OR g.user_id <> e.user_id)`,

  // A refund gives back a charge of its own account, and never more than the charge took.
  refunds_within_charge: `
    SELECT r.user_id, r.refund_of AS ref, COALESCE((-c.amount)::text, 'no charge') AS expected,
           r.refunded::text AS actual
      FROM (SELECT user_id, source_ref_id AS refund_of, SUM(amount) AS refunded
              FROM ledger_entries
             WHERE source = 'refund' AND status = 'applied'
               AND ($1::text[] IS NULL OR user_id = ANY($1))
             GROUP BY user_id, source_ref_id) r
      LEFT JOIN ledger_entries c
             ON c.event_id = r.refund_of AND c.user_id = r.user_id AND c.direction = 'expense'
     WHERE c.amount IS NULL OR r.refunded > -c.amount`,

  // What left a grant (amount − debt paid back − remaining) is what the entries drew from it,
  // less what refunds gave back to it; and, for a valued grant, the value that left it
  // (grant-value.ts: deferred at its start − deferred now) is what the entries' allocations say
  // they moved, less what refunds gave back. One pass over the allocations for both checks.
  grant_drawn_by_entries: `
    SELECT g.user_id, g.event_id AS ref, t.name AS "check", t.expected::text, t.actual::text
      FROM grants g
      LEFT JOIN (SELECT a."grant" AS grant_event_id,
                        SUM(CASE WHEN e.direction = 'income' THEN -a.amount ELSE a.amount END) AS drawn,
                        SUM(CASE WHEN e.direction = 'income' THEN -a.value ELSE a.value END) AS moved
                   FROM ledger_entries e
                  CROSS JOIN LATERAL jsonb_to_recordset(e.allocations)
                             AS a ("grant" text, amount bigint, value bigint)
                  WHERE e.allocations IS NOT NULL AND ($1::text[] IS NULL OR e.user_id = ANY($1))
                  GROUP BY a."grant") d ON d.grant_event_id = g.event_id
     CROSS JOIN LATERAL (VALUES
        ('grant_drawn_by_entries', (g.amount - g.debt_covered - g.remaining)::numeric,
         COALESCE(d.drawn, 0)::numeric),
        ('grant_value_moved_by_entries',
         CASE WHEN g.value_cent > 0
              THEN div(g.value_cent::numeric * (g.amount - g.debt_covered), g.amount)
                   - div(g.value_cent::numeric * g.remaining, g.amount) ELSE 0 END,
         CASE WHEN g.value_cent > 0 THEN COALESCE(d.moved, 0) ELSE 0 END::numeric))
          AS t (name, expected, actual)
     WHERE ($1::text[] IS NULL OR g.user_id = ANY($1)) AND t.expected <> t.actual`,

  // Deferred revenue by the daily totals is the value of all remaining credits, per currency
  // (system-wide, so only when every account is checked; user_id '*', ref the currency).
  deferred_revenue_is_value_of_credits: `
    SELECT '*' AS user_id, c.currency AS ref, COALESCE(g.deferred, 0)::text AS expected,
           COALESCE(t.deferred, 0)::text AS actual
      FROM (SELECT currency FROM revenue_days
             UNION SELECT currency FROM grants WHERE value_cent > 0) c
      LEFT JOIN (SELECT currency, SUM(div(value_cent::numeric * remaining, amount)) AS deferred
                   FROM grants WHERE value_cent > 0 AND remaining > 0 GROUP BY currency) g
             USING (currency)
      LEFT JOIN (SELECT currency, SUM(sales - recognized - breakage - refunds) AS deferred
                   FROM revenue_days GROUP BY currency) t USING (currency)
     WHERE $1::text[] IS NULL AND COALESCE(g.deferred, 0) <> COALESCE(t.deferred, 0)`,

  // A captured hold points at the charge that captured it, for the amount it says.
  hold_capture_has_entry: `
    SELECT h.user_id, h.hold_id AS ref, (-h.captured_amount)::text AS expected,
           COALESCE(e.amount::text, 'no entry') AS actual
      FROM holds h LEFT JOIN ledger_entries e ON e.event_id = h.capture_event_id
     WHERE ($1::text[] IS NULL OR h.user_id = ANY($1)) AND h.status = 'captured'
       AND h.captured_amount > 0
       AND (e.amount IS NULL OR e.amount <> -h.captured_amount OR e.hold_id <> h.hold_id)`,
};

@Injectable()
export class ReconciliationRepository {
  async countAccounts(db: EntityManager, users: string[] | null): Promise<number> {
    const [row]: { n: string }[] = await db.query(
      `SELECT COUNT(*) AS n FROM accounts WHERE ($1::text[] IS NULL OR user_id = ANY($1))`,
      [users],
    );
    return Number(row.n);
  }

  async findMismatches(db: EntityManager, users: string[] | null): Promise<Mismatch[]> {
    const mismatches: Mismatch[] = [];
    for (const [check, sql] of Object.entries(CHECKS)) {
      const rows: (Omit<Mismatch, 'check'> & { check?: string })[] = await db.query(sql, [users]);
      mismatches.push(...rows.map((row) => ({ ...row, check: row.check ?? check })));
    }
    return mismatches;
  }
}
