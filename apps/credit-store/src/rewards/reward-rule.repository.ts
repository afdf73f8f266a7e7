import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type CreateRewardRuleDto,
  DEFAULT_REWARD_LIMITS,
  type UpdateRewardRuleDto,
} from './dto/reward.dto';

export interface RewardRule {
  id: number;
  source: string;
  name: string;
  amount: number;
  status: 'active' | 'inactive' | 'deleted';
  /** Rewards one user may get from this rule in a UTC day; null: no limit. */
  max_per_user_per_day: number | null;
  /** Rewards one user may get from this rule in all; null: no limit. */
  max_per_user: number | null;
  created_at: Date;
  updated_at: Date;
}

/** Amounts are capped at MAX_AMOUNT (< 2^53), so reading them as float8 is exact. */
const COLUMNS = `id::int AS id, source, name, amount::float8 AS amount, status,
  max_per_user_per_day, max_per_user, created_at, updated_at`;
const CHANGEABLE = ['name', 'amount', 'status', 'max_per_user_per_day', 'max_per_user'] as const;

/** One rule per source among the rules not deleted (a unique index; a duplicate is 23505). */
@Injectable()
export class RewardRuleRepository {
  async insert(db: EntityManager, rule: CreateRewardRuleDto): Promise<RewardRule> {
    const rows: RewardRule[] = await db.query(
      `INSERT INTO reward_rules (source, name, amount, status, max_per_user_per_day, max_per_user)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [
        rule.source,
        rule.name,
        rule.amount,
        rule.status ?? 'active',
        rule.max_per_user_per_day === undefined
          ? DEFAULT_REWARD_LIMITS.max_per_user_per_day
          : rule.max_per_user_per_day,
        rule.max_per_user ?? DEFAULT_REWARD_LIMITS.max_per_user,
      ],
    );
    return rows[0];
  }

  /** Changes the fields given of a rule not deleted; undefined when there is none. */
  async update(
    db: EntityManager,
    id: number,
    change: UpdateRewardRuleDto | { status: 'deleted' },
  ): Promise<RewardRule | undefined> {
    const given: Partial<Record<(typeof CHANGEABLE)[number], unknown>> = change;
    const fields = CHANGEABLE.filter((f) => given[f] !== undefined);
    const sets = fields.map((f, i) => `${f} = $${i + 2}`);
    const rows: RewardRule[] = await db.query(
      `WITH changed AS (
         UPDATE reward_rules SET ${[...sets, 'updated_at = now()'].join(', ')}
          WHERE id = $1 AND status <> 'deleted' RETURNING *)
       SELECT ${COLUMNS} FROM changed`,
      [id, ...fields.map((f) => given[f])],
    );
    return rows[0];
  }

  list(db: EntityManager): Promise<RewardRule[]> {
    return db.query(`SELECT ${COLUMNS} FROM reward_rules WHERE status <> 'deleted' ORDER BY id`);
  }

  async findActiveBySource(db: EntityManager, source: string): Promise<RewardRule | undefined> {
    const rows: RewardRule[] = await db.query(
      `SELECT ${COLUMNS} FROM reward_rules WHERE source = $1 AND status = 'active'`,
      [source],
    );
    return rows[0];
  }
}
