import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface AuditChainCheck {
  checked: number;
  /** The first record (in chain order) whose links or hash do not hold, or that the head disowns. */
  firstBreak: { record_id: string } | null;
}

/**
 * Recomputes the audit trail's chain (audit_record_hash, the one definition, see
 * AUDIT_RECORD_HASH_FUNCTION) in chain order: each record's prev_hash must be the hash of the one
 * before it, its hash what its fields give now, and the chain's last hash the head's.
 */
@Injectable()
export class AuditChainRepository {
  async check(db: EntityManager): Promise<AuditChainCheck> {
    const [row]: { checked: string; first_break: string | null }[] = await db.query(
      `WITH walk AS (
         SELECT r.id, r.chain_seq, r.hash,
                r.prev_hash IS DISTINCT FROM coalesce(lag(r.hash) OVER w, '\\x'::bytea)
                  OR r.hash IS DISTINCT FROM audit_record_hash(r.prev_hash, r)
                  OR r.chain_seq IS NULL AS broken,
                row_number() OVER w = count(*) OVER () AS last
           FROM audit_records r
         WINDOW w AS (ORDER BY r.chain_seq NULLS LAST, r.at, r.id))
       SELECT (SELECT count(*) FROM walk) AS checked,
              (SELECT id FROM walk
                WHERE broken
                   OR (last AND hash IS DISTINCT FROM (SELECT last_hash FROM audit_chain_head))
                ORDER BY chain_seq NULLS LAST LIMIT 1) AS first_break`,
    );
    return {
      checked: Number(row.checked),
      firstBreak: row.first_break === null ? null : { record_id: row.first_break },
    };
  }
}
