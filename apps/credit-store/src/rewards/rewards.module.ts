import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { LedgerModule } from '../ledger/ledger.module';
import { RewardEntryRepository } from './reward-entry.repository';
import { RewardRuleRepository } from './reward-rule.repository';
import { RewardRulesController, RewardsController } from './rewards.controller';
import { RewardsService } from './rewards.service';

@Module({
  imports: [LedgerModule, GrantsModule],
  controllers: [RewardRulesController, RewardsController],
  providers: [RewardRuleRepository, RewardEntryRepository, RewardsService],
})
export class RewardsModule {}
