import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';

/** Which of a key's limits refused a call (see keyRefusalSql). */
export type KeyLimitHit = 'revoked' | 'expired' | 'budget' | 'rpm' | 'tpm' | 'parallel';

/** Where the key stood when it refused, as the reservation statement read it. */
export interface KeyStanding {
  revoked_at: Date | null;
  expires_at: Date | null;
  budget_credits: string | null;
  budget_period: string | null;
  spent: string;
  reserved: string;
  rpm: number | null;
  requests: number;
  tpm: string | null;
  tokens: string;
  max_parallel: number | null;
  in_flight: string;
  minute: Date;
}

/** A call in flight frees its slot within seconds, typically: come back after one. */
const PARALLEL_RETRY_SECONDS = 1;

/**
 * The refusal of a call by its key: 401 unauthorized for a key no longer valid (a running stream's
 * key revoked or expired since it was authenticated), 402 key_budget_exceeded, or 429 rate_limited
 * with Retry-After (the seconds to the next minute, or one for a full parallel limit).
 */
export function keyRefusal(
  hit: KeyLimitHit,
  k: KeyStanding,
  amount: number,
  now: Date,
): DomainError {
  if (hit === 'revoked') {
    return new DomainError(ErrorCode.Unauthorized, 'the API key was revoked', ['revoked']);
  }
  if (hit === 'expired') {
    return new DomainError(
      ErrorCode.Unauthorized,
      `the API key expired at ${k.expires_at!.toISOString()}`,
      ['expired'],
    );
  }
  if (hit === 'budget') {
    const left = BigInt(k.budget_credits!) - BigInt(k.spent) - BigInt(k.reserved);
    return new DomainError(
      ErrorCode.KeyBudgetExceeded,
      `key budget exceeded: this call may cost up to ${amount} credits and the key has ` +
        `${left > 0n ? left : 0n} of its ${k.budget_credits} left this ${k.budget_period === 'total' ? 'lifetime' : k.budget_period} ` +
        `(${k.spent} charged, ${k.reserved} reserved by calls in flight)`,
    );
  }
  const toNextMinute = Math.max(1, Math.ceil((k.minute.getTime() + 60_000 - now.getTime()) / 1000));
  const [why, seconds] =
    hit === 'rpm'
      ? [`the key's ${k.rpm} requests per minute are used`, toNextMinute]
      : hit === 'tpm'
        ? [`the key's ${k.tpm} tokens per minute would be passed (${k.tokens} used)`, toNextMinute]
        : [`the key's ${k.max_parallel} calls in flight are all running`, PARALLEL_RETRY_SECONDS];
  return new DomainError(ErrorCode.RateLimited, `rate limited: ${why}`, undefined, {
    'retry-after': String(seconds),
  });
}
