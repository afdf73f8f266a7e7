import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccountBalance } from '../ledger/account-balance';

interface AccountRow {
  user_id: string;
  balance: string;
  total_recharged: string;
  total_rewarded: string;
  total_consumed: string;
  total_expired: string;
  version: string;
  updated_at: Date;
}

export type AccountRecord = AccountBalance & { updated_at: Date };

function fromRow(row: AccountRow): AccountRecord {
  return {
    user_id: row.user_id,
    balance: BigInt(row.balance),
    total_recharged: BigInt(row.total_recharged),
    total_rewarded: BigInt(row.total_rewarded),
    total_consumed: BigInt(row.total_consumed),
    total_expired: BigInt(row.total_expired),
    version: BigInt(row.version),
    updated_at: row.updated_at,
  };
}

const COLUMNS = `user_id, balance, total_recharged, total_rewarded, total_consumed, total_expired,
                 version, updated_at`;

@Injectable()
export class AccountRepository {
  /**
   * Creates missing accounts and locks all of them, in user_id order so that two transactions
   * touching the same users always queue instead of deadlocking.
   */
  async lockAccounts(db: EntityManager, userIds: string[]): Promise<Map<string, AccountRecord>> {
    const sorted = [...new Set(userIds)].sort();
    await db.query(
      `INSERT INTO accounts (user_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING`,
      [sorted],
    );
    const rows: AccountRow[] = await db.query(
      `SELECT ${COLUMNS} FROM accounts WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE`,
      [sorted],
    );
    return new Map(rows.map((row) => [row.user_id, fromRow(row)]));
  }

  async saveBalances(db: EntityManager, accounts: AccountBalance[]): Promise<void> {
    if (accounts.length === 0) return;
    const column = (pick: (a: AccountBalance) => bigint) => accounts.map((a) => pick(a).toString());
    await db.query(
      `UPDATE accounts AS a
          SET balance = u.balance, total_recharged = u.total_recharged,
              total_rewarded = u.total_rewarded, total_consumed = u.total_consumed,
              total_expired = u.total_expired, version = u.version, updated_at = now()
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                     $7::bigint[])
              AS u (user_id, balance, total_recharged, total_rewarded, total_consumed, total_expired,
                    version)
        WHERE a.user_id = u.user_id`,
      [
        accounts.map((a) => a.user_id),
        column((a) => a.balance),
        column((a) => a.total_recharged),
        column((a) => a.total_rewarded),
        column((a) => a.total_consumed),
        column((a) => a.total_expired),
        column((a) => a.version),
      ],
    );
  }

  /** Marks a change that is not a ledger entry (a hold opened or closed) for snapshot readers. */
  async bumpVersions(
    db: EntityManager,
    userIds: string[],
  ): Promise<{ user_id: string; version: bigint }[]> {
    if (userIds.length === 0) return [];
    const rows: { user_id: string; version: string }[] = await db.query(
      // As a CTE: TypeORM answers a bare UPDATE ... RETURNING with [rows, count].
      `WITH bumped AS (UPDATE accounts SET version = version + 1, updated_at = now()
                        WHERE user_id = ANY($1::text[]) RETURNING user_id, version)
       SELECT * FROM bumped`,
      [[...new Set(userIds)]],
    );
    return rows.map((row) => ({ user_id: row.user_id, version: BigInt(row.version) }));
  }

  /**
   * Raises each account's charge_sequence to the highest of its movements' sequences (a new
   * version, so that the snapshot goes out); returns the accounts that changed. Callers hold the
   * accounts' locks.
   */
  async advanceChargeSequences(
    db: EntityManager,
    movements: { user_id: string; charge_sequence?: number }[],
  ): Promise<{ user_id: string; version: bigint }[]> {
    const sequenced = movements.filter((m) => m.charge_sequence !== undefined);
    if (sequenced.length === 0) return [];
    const rows: { user_id: string; version: string }[] = await db.query(
      `WITH highest AS (SELECT user_id, max(seq) AS seq
                          FROM unnest($1::text[], $2::bigint[]) AS m (user_id, seq) GROUP BY user_id),
            advanced AS (UPDATE accounts a SET charge_sequence = h.seq, version = a.version + 1
                           FROM highest h
                          WHERE a.user_id = h.user_id AND a.charge_sequence < h.seq
                         RETURNING a.user_id, a.version)
       SELECT * FROM advanced`,
      [sequenced.map((m) => m.user_id), sequenced.map((m) => String(m.charge_sequence))],
    );
    return rows.map((row) => ({ user_id: row.user_id, version: BigInt(row.version) }));
  }

  async findAccount(db: EntityManager, userId: string): Promise<AccountRecord | undefined> {
    const rows: AccountRow[] = await db.query(
      `SELECT ${COLUMNS} FROM accounts WHERE user_id = $1`,
      [userId],
    );
    return rows[0] && fromRow(rows[0]);
  }
}
