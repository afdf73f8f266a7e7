import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, sqlStateOf } from '@tally/platform';
import { DataSource } from 'typeorm';
import { GrantsService } from '../grants/grants.service';
import { LedgerRepository } from '../ledger/entries/ledger.repository';
import { ledgerEntryView, LedgerEntryView } from '../ledger/entries/ledger-entry.view';
import type { CreateRewardRuleDto, RewardDto, UpdateRewardRuleDto } from './dto/reward.dto';
import { RewardRule, RewardRuleRepository } from './reward-rule.repository';

@Injectable()
export class RewardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RewardRuleRepository,
    private readonly ledger: LedgerRepository,
    private readonly grants: GrantsService,
  ) {}

  async createRule(rule: CreateRewardRuleDto): Promise<RewardRule> {
    try {
      return await this.rules.insert(this.dataSource.manager, rule);
    } catch (error) {
      if (sqlStateOf(error) !== '23505') throw error;
      throw new DomainError(ErrorCode.AlreadyExists, `a reward rule for ${rule.source} exists`);
    }
  }

  async updateRule(id: number, change: UpdateRewardRuleDto | { status: 'deleted' }) {
    const rule = await this.rules.update(this.dataSource.manager, id, change);
    if (!rule) throw new DomainError(ErrorCode.NotFound, `reward rule ${id} does not exist`);
    return rule;
  }

  listRules(): Promise<RewardRule[]> {
    return this.rules.list(this.dataSource.manager);
  }

  /**
   * Credits the active rule's amount once per event_id. A repeat answers with the first entry
   * even if the rule's amount changed since; the event_id for another user or source is a 409.
   */
  async reward(request: RewardDto): Promise<LedgerEntryView> {
    const db = this.dataSource.manager;
    const earlier = await this.ledger.findByEventId(db, request.event_id);
    if (earlier) {
      if (earlier.user_id !== request.user_id || earlier.source_ref_id !== request.source) {
        throw new DomainError(
          ErrorCode.EventIdConflict,
          `event_id ${request.event_id} already rewarded ${earlier.user_id} for ${earlier.source_ref_id}`,
        );
      }
      return ledgerEntryView(earlier);
    }
    const rule = await this.rules.findActiveBySource(db, request.source);
    if (!rule) {
      throw new DomainError(ErrorCode.NotFound, `no active reward rule for ${request.source}`);
    }
    const entry = await this.grants.credit({
      event_id: request.event_id,
      user_id: request.user_id,
      source: 'reward',
      amount: BigInt(rule.amount),
      source_ref_id: rule.source,
      description: rule.name,
      metadata: { reward_rule_id: rule.id },
    });
    return ledgerEntryView(entry);
  }
}
