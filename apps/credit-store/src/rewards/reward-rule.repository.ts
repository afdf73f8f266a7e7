import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CreateRewardRuleDto, UpdateRewardRuleDto } from './dto/reward.dto';

export interface RewardRule {
  id: number;
  source: string;
  name: string;
  amount: number;
  status: 'active' | 'inactive' | 'deleted';
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id::int AS id, source, name, amount::float8 AS amount, status, created_at, updated_at`;

@Injectable()
export class RewardRuleRepository {
  async insert(db: EntityManager, rule: CreateRewardRuleDto): Promise<RewardRule> {
    const rows: RewardRule[] = await db.query(
      `INSERT INTO reward_rules (source, name, amount, status) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}`,
      [rule.source, rule.name, rule.amount, rule.status ?? 'active'],
    );
    return rows[0];
  }

  async update(
    db: EntityManager,
    id: number,
    change: UpdateRewardRuleDto | { status: 'deleted' },
  ): Promise<RewardRule | undefined> {
    const c = change as UpdateRewardRuleDto;
    const rows: RewardRule[] = await db.query(
      `WITH changed AS (
         UPDATE reward_rules SET source = COALESCE($2, source), name = COALESCE($3, name),
                amount = COALESCE($4, amount), status = COALESCE($5, status), updated_at = now()
          WHERE id = $1 AND status <> 'deleted' RETURNING *)
       SELECT ${COLUMNS} FROM changed`,
      [id, c.source ?? null, c.name ?? null, c.amount ?? null, change.status ?? null],
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
