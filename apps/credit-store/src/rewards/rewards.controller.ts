import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { Audited, RequireRole, SerialIdPipe } from '@tally/platform';
import { CreateRewardRuleDto, RewardDto, UpdateRewardRuleDto } from './dto/reward.dto';
import { RewardsService } from './rewards.service';

/** Admin writes (the default); finance and support read. */
@Controller('admin/reward-rules')
export class RewardRulesController {
  constructor(private readonly rewards: RewardsService) {}

  @Post()
  @Audited('reward_rule.create', { type: 'reward_rule', body: 'source' })
  create(@Body() body: CreateRewardRuleDto) {
    return this.rewards.createRule(body);
  }

  @Get()
  @RequireRole('finance', 'support')
  list() {
    return this.rewards.listRules();
  }

  @Patch(':id')
  @Audited('reward_rule.update', { type: 'reward_rule', param: 'id' })
  update(@Param('id', SerialIdPipe) id: number, @Body() body: UpdateRewardRuleDto) {
    return this.rewards.updateRule(id, body);
  }

  @Delete(':id')
  @Audited('reward_rule.delete', { type: 'reward_rule', param: 'id' })
  remove(@Param('id', SerialIdPipe) id: number) {
    return this.rewards.updateRule(id, { status: 'deleted' });
  }
}

@Controller('rewards')
@RequireRole('service')
export class RewardsController {
  constructor(private readonly rewards: RewardsService) {}

  @Post()
  reward(@Body() body: RewardDto) {
    return this.rewards.reward(body);
  }
}
