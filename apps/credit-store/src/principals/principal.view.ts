import type { PrincipalRow } from './principal.repository';

/** A principal as the API shows it: never its token, which only its creation and rotation answer. */
export function principalView(row: PrincipalRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    daily_limit: row.daily_limit === null ? null : Number(row.daily_limit),
    created_at: row.created_at.toISOString(),
    rotated_at: row.rotated_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

export type PrincipalView = ReturnType<typeof principalView>;
