import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** How many rewards of a source a user got: today (UTC) and in all. */
export interface RewardsGiven {
  today: number;
  total: number;
}

/** The ledger's reward entries, read for the rules' limits (the ledger core writes them). */
@Injectable()
export class RewardEntryRepository {
  /** Exact only under the account's lock, which every reward of the user takes first. */
  async countGiven(db: EntityManager, userId: string, source: string): Promise<RewardsGiven> {
    const rows: RewardsGiven[] = await db.query(
      `SELECT count(*) FILTER (
                WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
              )::int AS today,
              count(*)::int AS total
         FROM ledger_entries
        WHERE source = 'reward' AND user_id = $1 AND source_ref_id = $2`,
      [userId, source],
    );
    return rows[0];
  }
}
