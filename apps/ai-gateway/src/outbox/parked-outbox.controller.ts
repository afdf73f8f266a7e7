import { Controller, Get } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { DataSource } from 'typeorm';
import { OutboxRepository, ParkedOutboxRow } from './outbox.repository';

/** For operators (admin token, the default). */
@Controller('admin/outbox')
@RequireRole('finance', 'support')
export class ParkedOutboxController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Outbox rows set aside because the broker cannot take them: the oldest 100, without payloads. */
  @Get('parked')
  async parked(): Promise<{ rows: ParkedOutboxRow[] }> {
    return { rows: await this.outbox.findParked(this.dataSource.manager, 100) };
  }
}
