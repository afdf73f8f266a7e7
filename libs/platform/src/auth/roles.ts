/** The roles a principal (a named credential) may hold; one each. */
export type Role = 'admin' | 'finance' | 'support' | 'service';

export const ROLES: readonly Role[] = ['admin', 'finance', 'support', 'service'];

/** The roles that read everything people read (accounts, ledger, finance, audit...). */
export const READER_ROLES: readonly Role[] = ['finance', 'support'];

/** Who called: a principal of the credit-store's table, or one of the two bootstrap tokens. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** Support's credits per UTC day (grants, voids, refunds together); null elsewhere. */
  daily_limit: number | null;
}

/** `ADMIN_TOKEN` and `INTERNAL_TOKEN`: principals that live in the config, not in the table. */
export const BOOTSTRAP_ADMIN: Principal = {
  id: 'bootstrap-admin',
  name: 'bootstrap-admin',
  role: 'admin',
  daily_limit: null,
};
export const BOOTSTRAP_SERVICE: Principal = {
  id: 'bootstrap-service',
  name: 'bootstrap-service',
  role: 'service',
  daily_limit: null,
};

/** What every principal's token looks like: anything else is refused without a lookup. */
export const PRINCIPAL_TOKEN_SHAPE = /^tlp_[A-Za-z0-9_-]{43}$/;

export const PRINCIPAL_DIRECTORY = Symbol('tally:principal-directory');

/**
 * Where the guard looks up a token that is not a bootstrap one, by its SHA-256 (the credit-store
 * reads its table; the gateway asks the credit-store). Undefined: unknown, revoked or rotated out.
 */
export interface PrincipalDirectory {
  findByDigest(digest: Buffer): Promise<Principal | undefined>;
}

/** An app without principals of its own (tests of the platform): only the bootstrap tokens. */
export const NO_PRINCIPALS: PrincipalDirectory = {
  findByDigest: () => Promise.resolve(undefined),
};
