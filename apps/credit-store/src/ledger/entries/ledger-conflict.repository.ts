import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Movement } from './ledger-entry';

export interface LedgerConflict {
  movement: Movement;
  reason: string;
}

/** Requests refused because their event_id was already used for another movement. */
@Injectable()
export class LedgerConflictRepository {
  async record(db: EntityManager, conflicts: LedgerConflict[]): Promise<void> {
    for (const { movement, reason } of conflicts) {
      await db.query(
        `INSERT INTO ledger_conflicts (event_id, user_id, source, direction, amount, reason,
                                       origin_topic, origin_partition, origin_offset)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT DO NOTHING`,
        [
          movement.event_id,
          movement.user_id,
          movement.source,
          movement.direction,
          movement.amount.toString(),
          reason,
          movement.origin?.topic ?? null,
          movement.origin?.partition ?? null,
          movement.origin?.offset ?? null,
        ],
      );
    }
  }
}
