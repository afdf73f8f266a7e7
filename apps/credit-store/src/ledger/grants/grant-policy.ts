import { Injectable } from '@nestjs/common';
import { CreditStoreConfig } from '../../config/credit-store.config';

const DAY_MS = 86_400_000;

/**
 * How long an income's credits last: GRANT_TTL_DAYS by default, or per source from
 * GRANT_TTL_DAYS_BY_SOURCE (`purchase=never,reward=30`); `never` means they do not expire.
 */
@Injectable()
export class GrantPolicy {
  private readonly bySource: ReadonlyMap<string, number | null>;

  constructor(private readonly config: CreditStoreConfig) {
    this.bySource = parseTtlBySource(config.GRANT_TTL_DAYS_BY_SOURCE);
  }

  expiresAt(source: string, now: Date): Date | null {
    const days = this.bySource.has(source)
      ? this.bySource.get(source)!
      : this.config.GRANT_TTL_DAYS;
    return days === null ? null : new Date(now.getTime() + days * DAY_MS);
  }
}

/** `source=days|never` pairs, comma-separated (validated by the config's pattern). */
export function parseTtlBySource(spec: string): Map<string, number | null> {
  const pairs = spec
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair): [string, number | null] => {
      const [source, days] = pair.split('=').map((part) => part.trim());
      return [source, days === 'never' ? null : Number(days)];
    });
  return new Map(pairs);
}
