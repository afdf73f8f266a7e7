import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** An API key as listed: never the secret, never its hash. */
export interface ApiKey {
  id: string;
  user_id: string;
  name: string | null;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = `id, user_id, name, prefix, created_at, revoked_at`;

@Injectable()
export class ApiKeyRepository {
  async insert(
    db: EntityManager,
    key: { id: string; user_id: string; name?: string; prefix: string; hash: Buffer },
  ): Promise<ApiKey> {
    const rows: ApiKey[] = await db.query(
      `INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [key.id, key.user_id, key.name ?? null, key.prefix, key.hash],
    );
    return rows[0];
  }

  /** The live (not revoked) key with this hash. */
  async findLive(db: EntityManager, hash: Buffer): Promise<ApiKey | undefined> {
    const rows: ApiKey[] = await db.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows[0];
  }

  list(db: EntityManager, userId?: string): Promise<ApiKey[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE ($1::text IS NULL OR user_id = $1)
        ORDER BY created_at, id`,
      [userId ?? null],
    );
  }

  /** Revokes once; a second revocation keeps the first time. */
  async revoke(db: EntityManager, id: string): Promise<ApiKey | undefined> {
    const rows: ApiKey[] = await db.query(
      `WITH revoked AS (UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
                         WHERE id = $1 RETURNING ${COLUMNS})
       SELECT * FROM revoked`,
      [id],
    );
    return rows[0];
  }
}
