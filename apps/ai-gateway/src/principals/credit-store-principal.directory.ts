import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, type Principal, type PrincipalDirectory } from '@tally/platform';
import { CreditStoreClient } from '../credit-store-api/credit-store.client';

/** How long an answer is reused: a revoked or rotated-out token is refused within this (< 5 s). */
export const PRINCIPAL_CACHE_MS = 2000;
/** Unknown tokens are remembered too (a flood of them costs no calls), up to this many. */
const MAX_ENTRIES = 10_000;

/**
 * Principals live in the credit-store; the gateway asks it about a token it was shown (by its
 * SHA-256, never the token) and keeps the answer briefly. Only admin, support and service calls
 * come here: the /v1 surfaces authenticate users' API keys on their own.
 */
@Injectable()
export class CreditStorePrincipalDirectory implements PrincipalDirectory {
  private readonly cache = new Map<string, { principal?: Principal; until: number }>();

  constructor(private readonly store: CreditStoreClient) {}

  async findByDigest(digest: Buffer): Promise<Principal | undefined> {
    const key = digest.toString('hex');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.principal;
    const answer = await this.store.call('POST', '/principals/resolve', { token_sha256: key });
    if (answer.status !== 200 && answer.status !== 404) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        `the credit-store could not check the token (${answer.status})`,
      );
    }
    const principal = answer.status === 200 ? (answer.body as Principal) : undefined;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { principal, until: now + PRINCIPAL_CACHE_MS });
    return principal;
  }
}
