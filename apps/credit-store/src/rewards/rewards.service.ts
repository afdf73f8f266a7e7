import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, sqlStateOf, withTransactionRetry } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { GrantsService } from '../grants/grants.service';
import { AccountRepository } from '../ledger/accounts/account.repository';
import type { LedgerEntry } from '../ledger/entries/ledger-entry';
import { LedgerRepository } from '../ledger/entries/ledger.repository';
import { ledgerEntryView, LedgerEntryView } from '../ledger/entries/ledger-entry.view';
import { BalanceSnapshotRelay } from '../outbox/balance-snapshot.relay';
import type { CreateRewardRuleDto, RewardDto, UpdateRewardRuleDto } from './dto/reward.dto';
import { RewardEntryRepository, RewardsGiven } from './reward-entry.repository';
import { RewardRule, RewardRuleRepository } from './reward-rule.repository';

@Injectable()
export class RewardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RewardRuleRepository,
    private readonly given: RewardEntryRepository,
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerRepository,
    private readonly grants: GrantsService,
    private readonly snapshotRelay: BalanceSnapshotRelay,
  ) {}

  async createRule(rule: CreateRewardRuleDto): Promise<RewardRule> {
    try {
      // In a transaction, so that its audit record commits with it (never one without the other).
      return await this.dataSource.transaction((db) => this.rules.insert(db, rule));
    } catch (error) {
      if (sqlStateOf(error) !== '23505') throw error;
      throw new DomainError(ErrorCode.AlreadyExists, `a reward rule for ${rule.source} exists`);
    }
  }

  async updateRule(id: number, change: UpdateRewardRuleDto | { status: 'deleted' }) {
    const rule = await this.dataSource.transaction((db) => this.rules.update(db, id, change));
    if (!rule) throw new DomainError(ErrorCode.NotFound, `reward rule ${id} does not exist`);
    return rule;
  }

  listRules(): Promise<RewardRule[]> {
    return this.rules.list(this.dataSource.manager);
  }

  /**
   * Credits the active rule's amount once per event_id, within the rule's limits for the user
   * (409 reward_limit_reached past them: refused, not queued). A repeat answers with the first
   * entry even if the rule changed since; the event_id for another user or source is a 409.
   */
  async reward(request: RewardDto): Promise<LedgerEntryView> {
    const entry = await withTransactionRetry(() =>
      this.dataSource.transaction('READ COMMITTED', (db) => this.rewardWithin(db, request)),
    );
    this.snapshotRelay.wake();
    return ledgerEntryView(entry);
  }

  /** Under the account's lock, so concurrent rewards of a user are counted one after the other. */
  private async rewardWithin(db: EntityManager, request: RewardDto): Promise<LedgerEntry> {
    await this.accounts.lockAccounts(db, [request.user_id]);
    const earlier = await this.ledger.findByEventId(db, request.event_id);
    if (earlier) {
      if (earlier.user_id !== request.user_id || earlier.source_ref_id !== request.source) {
        throw new DomainError(
          ErrorCode.EventIdConflict,
          `event_id ${request.event_id} already rewarded ${earlier.user_id} for ${earlier.source_ref_id}`,
        );
      }
      return earlier;
    }
    const rule = await this.rules.findActiveBySource(db, request.source);
    if (!rule) {
      throw new DomainError(ErrorCode.NotFound, `no active reward rule for ${request.source}`);
    }
    const reached = limitReached(
      rule,
      await this.given.countGiven(db, request.user_id, rule.source),
    );
    if (reached) {
      throw new DomainError(
        ErrorCode.RewardLimitReached,
        `${request.user_id} already got ${reached} of ${rule.source}`,
      );
    }
    return this.grants.creditWithin(db, {
      event_id: request.event_id,
      user_id: request.user_id,
      source: 'reward',
      amount: BigInt(rule.amount),
      source_ref_id: rule.source,
      description: rule.name,
      metadata: { reward_rule_id: rule.id },
    });
  }
}

/** Which of the rule's limits the user's rewards have reached, said for people; else undefined. */
function limitReached(rule: RewardRule, given: RewardsGiven): string | undefined {
  if (rule.max_per_user !== null && given.total >= rule.max_per_user) {
    return `max_per_user (${rule.max_per_user})`;
  }
  if (rule.max_per_user_per_day !== null && given.today >= rule.max_per_user_per_day) {
    return `max_per_user_per_day (${rule.max_per_user_per_day}) today`;
  }
  return undefined;
}
