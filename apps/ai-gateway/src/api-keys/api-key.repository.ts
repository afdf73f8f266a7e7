import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keyFiguresQuery } from './key-figures.sql';
import type { BudgetPeriod, KeyLimits } from './key-limits';

/** An API key as listed: never the secret, never its hash. */
export interface ApiKey extends KeyLimits {
  id: string;
  user_id: string;
  name: string | null;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** Where a key stands now (see keyFiguresQuery). */
export interface KeyFigures {
  period_start: string | null;
  spent: bigint;
  reserved: bigint;
  in_flight: number;
  minute: Date;
  requests: number;
  tokens: bigint;
}

/** The channel on which every change of a key (limits, revocation) is announced to the replicas. */
export const API_KEY_CHANNEL = 'api_key_changed';

const COLUMNS = `id, user_id, name, prefix, created_at, revoked_at, budget_credits, budget_period,
                 rpm, tpm, max_parallel, models, expires_at`;

interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string | null;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  budget_credits: string | null;
  budget_period: BudgetPeriod | null;
  rpm: number | null;
  tpm: string | null;
  max_parallel: number | null;
  models: string[] | null;
  expires_at: Date | null;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
    budget:
      row.budget_credits === null || row.budget_period === null
        ? null
        : { credits: Number(row.budget_credits), period: row.budget_period },
    rpm: row.rpm,
    tpm: row.tpm === null ? null : Number(row.tpm),
    max_parallel: row.max_parallel,
    models: row.models,
    expires_at: row.expires_at,
  };
}

/** The limits as the statements take them: a JSON object holding only the fields given. */
export type LimitsPatch = Partial<Omit<KeyLimits, 'expires_at'> & { expires_at: string | null }>;

/** The model list given in $2 (NULL when none, or null). */
const MODELS_GIVEN = `(SELECT array_agg(m ORDER BY n) FROM jsonb_array_elements_text(
    CASE jsonb_typeof($2::jsonb -> 'models') WHEN 'array' THEN $2::jsonb -> 'models' END)
    WITH ORDINALITY AS g (m, n))`;

const LIMIT_ASSIGNMENTS = `
  budget_credits = CASE WHEN $2::jsonb ? 'budget' THEN ($2::jsonb #>> '{budget,credits}')::bigint
                        ELSE budget_credits END,
  budget_period = CASE WHEN $2::jsonb ? 'budget' THEN $2::jsonb #>> '{budget,period}'
                       ELSE budget_period END,
  rpm = CASE WHEN $2::jsonb ? 'rpm' THEN ($2::jsonb ->> 'rpm')::integer ELSE rpm END,
  tpm = CASE WHEN $2::jsonb ? 'tpm' THEN ($2::jsonb ->> 'tpm')::bigint ELSE tpm END,
  max_parallel = CASE WHEN $2::jsonb ? 'max_parallel'
                      THEN ($2::jsonb ->> 'max_parallel')::integer ELSE max_parallel END,
  models = CASE WHEN $2::jsonb ? 'models' THEN ${MODELS_GIVEN} ELSE models END,
  expires_at = CASE WHEN $2::jsonb ? 'expires_at' THEN ($2::jsonb ->> 'expires_at')::timestamptz
                    ELSE expires_at END`;

@Injectable()
export class ApiKeyRepository {
  async insert(
    db: EntityManager,
    key: { id: string; user_id: string; name?: string; prefix: string; hash: Buffer },
    limits: LimitsPatch,
  ): Promise<ApiKey> {
    const rows: ApiKeyRow[] = await db.query(
      `INSERT INTO api_keys (id, user_id, name, prefix, key_hash, budget_credits, budget_period,
                             rpm, tpm, max_parallel, models, expires_at)
       SELECT $1, $3, $4, $5, $6, ($2::jsonb #>> '{budget,credits}')::bigint,
              $2::jsonb #>> '{budget,period}', ($2::jsonb ->> 'rpm')::integer,
              ($2::jsonb ->> 'tpm')::bigint, ($2::jsonb ->> 'max_parallel')::integer,
              ${MODELS_GIVEN}, ($2::jsonb ->> 'expires_at')::timestamptz
       RETURNING ${COLUMNS}`,
      [key.id, JSON.stringify(limits), key.user_id, key.name ?? null, key.prefix, key.hash],
    );
    return toApiKey(rows[0]);
  }

  /**
   * Changes the limits given (null removes one) and announces the change to every replica (the
   * notification is sent when the transaction commits).
   */
  async updateLimits(
    db: EntityManager,
    id: string,
    limits: LimitsPatch,
  ): Promise<ApiKey | undefined> {
    const rows: ApiKeyRow[] = await db.query(
      `WITH updated AS (UPDATE api_keys SET ${LIMIT_ASSIGNMENTS} WHERE id = $1 RETURNING ${COLUMNS})
       SELECT updated.*, pg_notify('${API_KEY_CHANNEL}', updated.id::text) FROM updated`,
      [id, JSON.stringify(limits)],
    );
    return rows[0] && toApiKey(rows[0]);
  }

  /** The live (not revoked) key with this hash. */
  async findLive(db: EntityManager, hash: Buffer): Promise<ApiKey | undefined> {
    const rows: ApiKeyRow[] = await db.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows[0] && toApiKey(rows[0]);
  }

  /** The key; `lock`: locked for a change in the caller's transaction. */
  async findById(
    db: EntityManager,
    id: string,
    { lock = false } = {},
  ): Promise<ApiKey | undefined> {
    const rows: ApiKeyRow[] = await db.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] && toApiKey(rows[0]);
  }

  async list(db: EntityManager, userId?: string): Promise<ApiKey[]> {
    const rows: ApiKeyRow[] = await db.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE ($1::text IS NULL OR user_id = $1)
        ORDER BY created_at, id`,
      [userId ?? null],
    );
    return rows.map(toApiKey);
  }

  /** Revokes once (a second revocation keeps the first time), and tells every replica. */
  async revoke(db: EntityManager, id: string): Promise<ApiKey | undefined> {
    const rows: ApiKeyRow[] = await db.query(
      `WITH revoked AS (UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
                         WHERE id = $1 RETURNING ${COLUMNS})
       SELECT revoked.*, pg_notify('${API_KEY_CHANNEL}', revoked.id::text) FROM revoked`,
      [id],
    );
    return rows[0] && toApiKey(rows[0]);
  }

  /** The key's spend, reservations and minute counters at instant `now`. */
  async figures(db: EntityManager, id: string, now: Date): Promise<KeyFigures | undefined> {
    const [row]: Record<string, string | Date | null>[] = await db.query(
      keyFiguresQuery('$1', '$2', 'NULL'),
      [id, now],
    );
    if (!row) return undefined;
    return {
      period_start: row.period_from as string | null,
      spent: BigInt(row.spent as string),
      reserved: BigInt(row.reserved as string),
      in_flight: Number(row.in_flight),
      minute: row.minute as Date,
      requests: Number(row.requests),
      tokens: BigInt(row.tokens as string),
    };
  }

  /** Corrects the tokens counted for a call in `minute` by `delta` (its actual usage less its estimate). */
  async correctTokens(db: EntityManager, id: string, minute: Date, delta: number): Promise<void> {
    await db.query(
      `UPDATE key_minutes SET tokens = GREATEST(tokens + $3::bigint, 0)
        WHERE api_key_id = $1 AND minute = $2`,
      [id, minute, delta],
    );
  }

  /** Deletes up to `limit` minute counters older than `before` (their windows are closed). */
  async purgeMinutes(db: EntityManager, before: Date, limit: number): Promise<number> {
    const rows: unknown[] = await db.query(
      `WITH old AS (SELECT api_key_id, minute FROM key_minutes WHERE minute < $1 LIMIT $2),
            purged AS (DELETE FROM key_minutes m USING old
                        WHERE m.api_key_id = old.api_key_id AND m.minute = old.minute RETURNING 1)
       SELECT * FROM purged`,
      [before, limit],
    );
    return rows.length;
  }
}
