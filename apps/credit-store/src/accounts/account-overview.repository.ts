import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface OpenGrantRow {
  source: string;
  remaining: string;
  expires_at: Date | null;
}

/** What an account holder may see of their grants. */
@Injectable()
export class AccountOverviewRepository {
  /**
   * The grants with credits left, in the order charges consume them (soonest to expire first),
   * at most `limit` (grants_spendable_idx).
   */
  openGrants(db: EntityManager, userId: string, limit: number): Promise<OpenGrantRow[]> {
    return db.query(
      `SELECT source, remaining::text AS remaining, expires_at
         FROM grants WHERE user_id = $1 AND spendable
        ORDER BY expires_at NULLS LAST, id
        LIMIT $2`,
      [userId, limit],
    );
  }
}
