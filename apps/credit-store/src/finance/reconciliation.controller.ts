import { Controller, Get } from '@nestjs/common';
import { ReconciliationService } from './reconciliation.service';

/** Admin only (the default). */
@Controller('finance/reconciliation')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  reconcile() {
    return this.reconciliation.reconcile();
  }
}
