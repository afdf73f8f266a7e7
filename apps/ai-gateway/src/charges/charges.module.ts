import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { ChargeRepository } from './charge.repository';
import { ChargesController } from './charges.controller';
import { ChargesService } from './charges.service';

@Module({
  imports: [OutboxModule],
  controllers: [ChargesController],
  providers: [ChargeRepository, ChargesService],
})
export class ChargesModule {}
