import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import type { Response } from 'express';
import { CreditStoreClient } from '../credit-store-api/credit-store.client';

/**
 * Holds for pre-paid work, on the gateway's internal surface. Authorization must be synchronous
 * (it answers whether the credits are there), so these calls go straight to the credit-store and
 * answer what it answered, status and body; capture is a later /internal/charges naming the hold.
 */
@Controller('internal/holds')
@RequireRole('service')
export class HoldsController {
  constructor(private readonly store: CreditStoreClient) {}

  @Post()
  @Audited('hold.create', { type: 'account', body: 'user_id' }, { peopleOnly: true })
  authorize(@Body() body: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return this.forward(res, 'POST', '/holds', body);
  }

  @Post(':id/void')
  @Audited('hold.void', { type: 'hold', param: 'id' }, { peopleOnly: true })
  void(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.forward(res, 'POST', `/holds/${encodeURIComponent(id)}/void`, {});
  }

  @Get(':id')
  @RequireRole('service', 'finance', 'support')
  get(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.forward(res, 'GET', `/holds/${encodeURIComponent(id)}`);
  }

  private async forward(res: Response, method: 'GET' | 'POST', path: string, body?: unknown) {
    const answer = await this.store.call(method, path, body);
    res.status(answer.status);
    return answer.body;
  }
}
