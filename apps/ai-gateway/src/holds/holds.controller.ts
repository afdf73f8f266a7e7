import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { RequireToken } from '@tally/platform';
import type { Response } from 'express';
import { CreditStoreClient } from '../credit-store-api/credit-store.client';

/**
 * Holds for pre-paid work, on the gateway's internal surface. Authorization must be synchronous
 * (it answers whether the credits are there), so these calls go straight to the credit-store and
 * answer what it answered, status and body; capture is a later /internal/charges naming the hold.
 */
@Controller('internal/holds')
@RequireToken('internal')
export class HoldsController {
  constructor(private readonly store: CreditStoreClient) {}

  @Post()
  authorize(@Body() body: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    return this.forward(res, 'POST', '/holds', body);
  }

  @Post(':id/void')
  void(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.forward(res, 'POST', `/holds/${encodeURIComponent(id)}/void`, {});
  }

  @Get(':id')
  get(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.forward(res, 'GET', `/holds/${encodeURIComponent(id)}`);
  }

  private async forward(res: Response, method: 'GET' | 'POST', path: string, body?: unknown) {
    const answer = await this.store.call(method, path, body);
    res.status(answer.status);
    return answer.body;
  }
}
