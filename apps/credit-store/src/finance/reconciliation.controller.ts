import { Controller, Get } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { ReconciliationService } from './reconciliation.service';

/** Admin only (the default). */
@Controller('finance/reconciliation')
@RequireRole('finance', 'support')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  reconcile() {
    return this.reconciliation.reconcile();
  }
}
