import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import type { Request, Response } from 'express';
import { CreditStoreClient, personCalling } from '../credit-store-api/credit-store.client';

/**
 * Holds for pre-paid work, on the gateway's internal surface. Authorization must be synchronous
 * (it answers whether the credits are there), so these calls go straight to the credit-store and
 * answer what it answered, status and body; capture is a later /internal/charges naming the hold.
 * A person's call goes with the person's own token and request id: the credit-store audits the
 * hold in the hold's own transaction (a service's holds are its metered work, not audited).
 */
@Controller('internal/holds')
@RequireRole('service')
export class HoldsController {
  constructor(private readonly store: CreditStoreClient) {}

  @Post()
  authorize(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.forward(req, res, 'POST', '/holds', body);
  }

  @Post(':id/void')
  void(@Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.forward(req, res, 'POST', `/holds/${encodeURIComponent(id)}/void`, {});
  }

  @Get(':id')
  @RequireRole('service', 'finance', 'support')
  get(@Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.forward(req, res, 'GET', `/holds/${encodeURIComponent(id)}`);
  }

  private async forward(
    req: Request,
    res: Response,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ) {
    const answer = await this.store.call(method, path, body, {
      onBehalfOf: personCalling(req.headers.authorization),
    });
    res.status(answer.status);
    return answer.body;
  }
}
