import { CreditStoreConfig } from '../../config/credit-store.config';
import { GrantPolicy, parseTtlBySource } from './grant-policy';

describe('GrantPolicy', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const policy = (byProperty: Partial<CreditStoreConfig>) =>
    new GrantPolicy(Object.assign(new CreditStoreConfig(), byProperty));

  it('gives every source the default lifetime unless it has its own', () => {
    const p = policy({ GRANT_TTL_DAYS: 180, GRANT_TTL_DAYS_BY_SOURCE: 'reward=30' });
    expect(p.expiresAt('gift', now)).toEqual(new Date('2026-06-30T00:00:00Z'));
    expect(p.expiresAt('reward', now)).toEqual(new Date('2026-01-31T00:00:00Z'));
  });

  it('lets a source never expire', () => {
    expect(policy({ GRANT_TTL_DAYS_BY_SOURCE: 'purchase=never' }).expiresAt('purchase', now)).toBe(
      null,
    );
  });

  it('parses pairs with spaces and ignores empty parts', () => {
    expect(parseTtlBySource(' purchase = never , reward=7,')).toEqual(
      new Map([
        ['purchase', null],
        ['reward', 7],
      ]),
    );
  });
});
