import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { GrantVoidsController } from './grant-voids.controller';
import { GrantVoidsService } from './grant-voids.service';
import { GrantsController } from './grants.controller';
import { GrantsService } from './grants.service';

@Module({
  imports: [LedgerModule],
  controllers: [GrantsController, GrantVoidsController],
  providers: [GrantsService, GrantVoidsService],
  exports: [GrantsService],
})
export class GrantsModule {}
