import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PriceRule } from './price-rule';

const VERSION_FIELDS = [
  'scene',
  'provider',
  'model',
  'mode',
  'priority',
  'input_per_million',
  'output_per_million',
  'cached_per_million',
  'reasoning_per_million',
  'credits_per_call',
  'credits_per_second',
  'min_credits',
  'status',
] as const;

export type RuleFields = Pick<PriceRule, (typeof VERSION_FIELDS)[number]>;

// numeric::text keeps decimals exact; trailing zeros trimmed for readability.
const price = (c: string) =>
  `CASE WHEN v.${c} IS NULL THEN NULL ELSE trim_scale(v.${c})::text END AS ${c}`;
const COLUMNS = `v.rule_id::int AS id, v.version, v.scene, v.provider, v.model, v.mode, v.priority,
  ${['input_per_million', 'output_per_million', 'cached_per_million', 'reasoning_per_million', 'credits_per_call', 'credits_per_second'].map(price).join(', ')},
  v.min_credits::float8 AS min_credits, v.status, v.created_at`;
const CURRENT = `price_rules r JOIN price_rule_versions v ON v.rule_id = r.id AND v.version = r.current_version`;

@Injectable()
export class PriceRuleRepository {
  async create(db: EntityManager, fields: RuleFields): Promise<number> {
    const [{ id }]: { id: number }[] = await db.query(
      `INSERT INTO price_rules DEFAULT VALUES RETURNING id::int AS id`,
    );
    await this.insertVersion(db, id, 1, fields);
    return id;
  }

  /** The current version, locked so that two edits of one rule make versions one after another. */
  async lockCurrent(db: EntityManager, id: number): Promise<PriceRule | undefined> {
    const rows: PriceRule[] = await db.query(
      `SELECT ${COLUMNS} FROM ${CURRENT} WHERE r.id = $1 FOR UPDATE OF r`,
      [id],
    );
    return rows[0];
  }

  async addVersion(
    db: EntityManager,
    id: number,
    version: number,
    fields: RuleFields,
  ): Promise<void> {
    await this.insertVersion(db, id, version, fields);
    await db.query(
      `UPDATE price_rules SET current_version = $2, updated_at = now() WHERE id = $1`,
      [id, version],
    );
  }

  async listCurrent(
    db: EntityManager,
    filter: { scene?: string; status?: string } = {},
  ): Promise<PriceRule[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM ${CURRENT}
        WHERE ($1::text IS NULL OR v.scene = $1)
          AND (CASE WHEN $2::text IS NULL THEN v.status <> 'deleted' ELSE v.status = $2 END)
        ORDER BY r.id`,
      [filter.scene ?? null, filter.status ?? null],
    );
  }

  async history(db: EntityManager, id: number): Promise<PriceRule[]> {
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

  private async insertVersion(db: EntityManager, id: number, version: number, fields: RuleFields) {
    await db.query(
      `INSERT INTO price_rule_versions (rule_id, version, ${VERSION_FIELDS.join(', ')})
       VALUES ($1, $2, ${VERSION_FIELDS.map((_, i) => `$${i + 3}`).join(', ')})`,
      [id, version, ...VERSION_FIELDS.map((f) => fields[f])],
    );
  }
}
