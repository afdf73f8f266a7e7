import { Module } from '@nestjs/common';
import { OutboxPruner } from './outbox-pruner';
import { OutboxPublisher } from './outbox-publisher';
import { OutboxRelay } from './outbox-relay';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxRepository } from './outbox.repository';
import { ParkedOutboxController } from './parked-outbox.controller';

@Module({
  controllers: [ParkedOutboxController],
  providers: [OutboxRepository, OutboxPublisher, OutboxRelay, OutboxPruner, OutboxMetrics],
  exports: [OutboxRepository, OutboxRelay],
})
export class OutboxModule {}
