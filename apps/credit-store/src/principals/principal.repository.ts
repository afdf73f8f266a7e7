import { Injectable } from '@nestjs/common';
import type { Principal, Role } from '@tally/platform';
import type { EntityManager } from 'typeorm';

export interface PrincipalRow {
  id: string;
  name: string;
  role: Role;
  daily_limit: string | null;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  previous_token_expires_at: Date | null;
}

const COLUMNS = `id, name, role, daily_limit, created_at, rotated_at, revoked_at,
                 previous_token_expires_at`;

@Injectable()
export class PrincipalRepository {
  /** The principal a token names now: its current token, or its previous one until it expires. */
  async findByDigest(db: EntityManager, digest: Buffer): Promise<Principal | undefined> {
    const [row]: { id: string; name: string; role: Role; daily_limit: string | null }[] =
      await db.query(
        `SELECT id, name, role, daily_limit FROM principals
          WHERE revoked_at IS NULL
            AND (token_sha256 = $1
                 OR (previous_token_sha256 = $1 AND previous_token_expires_at > now()))`,
        [digest],
      );
    return (
      row && { ...row, daily_limit: row.daily_limit === null ? null : Number(row.daily_limit) }
    );
  }

  /** Undefined when the name is taken. */
  async insert(
    db: EntityManager,
    p: { id: string; name: string; role: Role; daily_limit: number | null; digest: Buffer },
  ): Promise<PrincipalRow | undefined> {
    const [row]: PrincipalRow[] = await db.query(
      `INSERT INTO principals (id, name, role, daily_limit, token_sha256)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO NOTHING
       RETURNING ${COLUMNS}`,
      [p.id, p.name, p.role, p.daily_limit, p.digest],
    );
    return row;
  }

  list(db: EntityManager): Promise<PrincipalRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM principals ORDER BY created_at, id`);
  }

  /** The row, locked for a change when `forUpdate`. */
  async find(db: EntityManager, id: string, forUpdate = false): Promise<PrincipalRow | undefined> {
    const [row]: PrincipalRow[] = await db.query(
      `SELECT ${COLUMNS} FROM principals WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return row;
  }

  /** Revoked now, or when it first was (a second revoke changes nothing). */
  async revoke(db: EntityManager, id: string): Promise<PrincipalRow | undefined> {
    const [[row]]: [PrincipalRow[], number] = await db.query(
      `UPDATE principals SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id],
    );
    return row;
  }

  /** The new token in; the current one kept as the previous one for `oldValidSeconds`. */
  async rotate(
    db: EntityManager,
    id: string,
    digest: Buffer,
    oldValidSeconds: number,
  ): Promise<PrincipalRow | undefined> {
    // An UPDATE's answer is [rows, count].
    const [[row]]: [PrincipalRow[], number] = await db.query(
      `UPDATE principals
          SET previous_token_sha256 = CASE WHEN $3::int > 0 THEN token_sha256 END,
              previous_token_expires_at = now() + make_interval(secs => $3::int),
              token_sha256 = $2,
              rotated_at = now()
        WHERE id = $1 AND revoked_at IS NULL
        RETURNING ${COLUMNS}`,
      [id, digest, oldValidSeconds],
    );
    return row;
  }
}
