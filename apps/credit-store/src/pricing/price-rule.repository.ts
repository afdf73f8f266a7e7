import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PRICE_FIELDS, PRICE_RULE_FIELDS, PriceRuleFields, PriceTarget } from '@tally/pricing';
import type { PriceRule } from './price-rule';

// numeric::text keeps prices exact (trailing zeros trimmed); min_credits ≤ MAX_AMOUNT < 2^53.
const COLUMNS = `v.rule_id::int AS id, v.version, v.scene, v.provider, v.model, v.mode, v.priority,
  ${PRICE_FIELDS.map((f) => `trim_scale(v.${f})::text AS ${f}`).join(', ')},
  v.min_credits::float8 AS min_credits, v.status, v.created_at`;
const CURRENT = `price_rules r
  JOIN price_rule_versions v ON v.rule_id = r.id AND v.version = r.current_version`;

/** Rules and their append-only versions; a rule's current version is what matches and prices. */
@Injectable()
export class PriceRuleRepository {
  async create(db: EntityManager, fields: PriceRuleFields): Promise<number> {
    const [{ id }]: { id: number }[] = await db.query(
      `INSERT INTO price_rules DEFAULT VALUES RETURNING id::int AS id`,
    );
    await this.insertVersion(db, id, 1, fields);
    return id;
  }

  /** Adds version `version` and makes it current. */
  async addVersion(
    db: EntityManager,
    id: number,
    version: number,
    fields: PriceRuleFields,
  ): Promise<void> {
    await this.insertVersion(db, id, version, fields);
    await db.query(
      `UPDATE price_rules SET current_version = $2, updated_at = now() WHERE id = $1`,
      [id, version],
    );
  }

  /**
   * The current version, the rule locked so that two edits make versions one after the other.
   * Lock, then read: a join locked in one statement would, after waiting for another edit, re-check
   * the new current_version against the old version row and find nothing.
   */
  async lockCurrent(db: EntityManager, id: number): Promise<PriceRule | undefined> {
    const locked: unknown[] = await db.query(`SELECT 1 FROM price_rules WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return locked.length ? this.findCurrent(db, id) : undefined;
  }

  async findCurrent(db: EntityManager, id: number): Promise<PriceRule | undefined> {
    const rows: PriceRule[] = await db.query(`SELECT ${COLUMNS} FROM ${CURRENT} WHERE r.id = $1`, [
      id,
    ]);
    return rows[0];
  }

  /** Current versions, deleted ones only when asked for by status. */
  listCurrent(
    db: EntityManager,
    filter: { scene?: string; status?: string } = {},
  ): Promise<PriceRule[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM ${CURRENT}
        WHERE ($1::text IS NULL OR v.scene = $1)
          AND CASE WHEN $2::text IS NULL THEN v.status <> 'deleted' ELSE v.status = $2 END
        ORDER BY r.id`,
      [filter.scene ?? null, filter.status ?? null],
    );
  }

  /** Active current versions that could price the target; matchRule picks one of them. */
  listCandidates(db: EntityManager, target: PriceTarget): Promise<PriceRule[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM ${CURRENT}
        WHERE v.status = 'active' AND v.scene = $1
          AND (v.provider IS NULL OR v.provider = $2)
          AND (v.model IS NULL OR v.model = $3)`,
      [target.scene, target.provider ?? null, target.model ?? null],
    );
  }

  async activeModels(db: EntityManager, scene: string): Promise<string[]> {
    const rows: { model: string }[] = await db.query(
      `SELECT DISTINCT v.model FROM ${CURRENT}
        WHERE v.status = 'active' AND v.scene = $1 AND v.model IS NOT NULL
        ORDER BY v.model`,
      [scene],
    );
    return rows.map((r) => r.model);
  }

  history(db: EntityManager, id: number): Promise<PriceRule[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM price_rule_versions v WHERE v.rule_id = $1 ORDER BY v.version`,
      [id],
    );
  }

  /** A rule as it was at one version, to re-derive a charge priced with it. */
  async findVersion(
    db: EntityManager,
    id: number,
    version: number,
  ): Promise<PriceRule | undefined> {
    const rows: PriceRule[] = await db.query(
      `SELECT ${COLUMNS} FROM price_rule_versions v WHERE v.rule_id = $1 AND v.version = $2`,
      [id, version],
    );
    return rows[0];
  }

  private async insertVersion(
    db: EntityManager,
    id: number,
    version: number,
    fields: PriceRuleFields,
  ): Promise<void> {
    await db.query(
      `INSERT INTO price_rule_versions (rule_id, version, ${PRICE_RULE_FIELDS.join(', ')})
       VALUES ($1, $2, ${PRICE_RULE_FIELDS.map((_, i) => `$${i + 3}`).join(', ')})`,
      [id, version, ...PRICE_RULE_FIELDS.map((f) => fields[f])],
    );
  }
}
