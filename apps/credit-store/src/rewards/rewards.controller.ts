import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { RequireToken, SerialIdPipe } from '@tally/platform';
import { CreateRewardRuleDto, RewardDto, UpdateRewardRuleDto } from './dto/reward.dto';
import { RewardsService } from './rewards.service';

/** Admin only (the default). */
@Controller('admin/reward-rules')
export class RewardRulesController {
  constructor(private readonly rewards: RewardsService) {}

  @Post()
  create(@Body() body: CreateRewardRuleDto) {
    return this.rewards.createRule(body);
  }

  @Get()
  list() {
    return this.rewards.listRules();
  }

  @Patch(':id')
  update(@Param('id', SerialIdPipe) id: number, @Body() body: UpdateRewardRuleDto) {
    return this.rewards.updateRule(id, body);
  }

  @Delete(':id')
  remove(@Param('id', SerialIdPipe) id: number) {
    return this.rewards.updateRule(id, { status: 'deleted' });
  }
}

@Controller('rewards')
@RequireToken('admin', 'internal')
export class RewardsController {
  constructor(private readonly rewards: RewardsService) {}

  @Post()
  reward(@Body() body: RewardDto) {
    return this.rewards.reward(body);
  }
}
