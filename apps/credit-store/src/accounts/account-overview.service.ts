import { Injectable } from '@nestjs/common';
import { isBlocked, jsonAmount } from '@tally/contracts';
import { DataSource } from 'typeorm';
import { AccountRepository } from '../ledger/accounts/account.repository';
import { periodStart, USAGE_PERIODS, type UsagePeriod } from '../usage/usage-period';
import { UsageRepository, type UsageSumsRow } from '../usage/usage.repository';
import { usageSums } from '../usage/usage.view';
import { AccountOverviewRepository } from './account-overview.repository';

/** An account holder's grants are few; a list past this is cut (soonest to expire kept). */
export const OVERVIEW_GRANTS = 100;

const NO_CALLS: UsageSumsRow = {
  calls: '0',
  credits: '0',
  input_tokens: '0',
  cached_tokens: '0',
  cache_write_tokens: '0',
  reasoning_tokens: '0',
  output_tokens: '0',
  seconds: '0',
};

/**
 * What a user may see of their own account (the gateway's `GET /v1/me`): balance, the grants
 * with credits left, and usage over each dashboard period; one snapshot, so that they agree.
 */
@Injectable()
export class AccountOverviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountRepository,
    private readonly grants: AccountOverviewRepository,
    private readonly usage: UsageRepository,
  ) {}

  overview(userId: string, now = new Date()) {
    const since = Object.fromEntries(USAGE_PERIODS.map((p) => [p, periodStart(p, now)]));
    return this.dataSource.transaction('REPEATABLE READ', async (db) => {
      await db.query('SET TRANSACTION READ ONLY');
      const account = await this.accounts.findAccount(db, userId);
      const grants = await this.grants.openGrants(db, userId, OVERVIEW_GRANTS + 1);
      const totals = await this.usage.totalsSince(db, userId, since);
      const byPeriod = new Map(totals.map(({ period, ...sums }) => [period, sums]));
      const balance = account?.balance ?? 0n;
      return {
        user_id: userId,
        balance: jsonAmount(balance),
        blocked: isBlocked(balance),
        grants: grants.slice(0, OVERVIEW_GRANTS).map((g) => ({
          amount_remaining: jsonAmount(BigInt(g.remaining)),
          expires_at: g.expires_at?.toISOString() ?? null,
          source: g.source,
        })),
        grants_truncated: grants.length > OVERVIEW_GRANTS,
        usage: Object.fromEntries(
          USAGE_PERIODS.map((p) => [p, usageSums(byPeriod.get(p) ?? NO_CALLS)]),
        ) as Record<UsagePeriod, ReturnType<typeof usageSums>>,
      };
    });
  }
}
