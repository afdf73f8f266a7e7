import { Controller, Get } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { DataSource } from 'typeorm';
import { BalanceOutboxRepository, ParkedSnapshotRow } from './balance-outbox.repository';

/** For operators (admin token, the default). */
@Controller('admin/balance-snapshots')
@RequireRole('finance', 'support')
export class ParkedSnapshotsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: BalanceOutboxRepository,
  ) {}

  /** Accounts whose snapshot cannot be published, and why: the oldest 100. */
  @Get('parked')
  async parked(): Promise<{ rows: ParkedSnapshotRow[] }> {
    return { rows: await this.outbox.findParked(this.dataSource.manager, 100) };
  }
}
