import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { Public } from '../auth/token-auth.decorator';

/** Injection token of the process-wide registry of Node's default series. */
export const PROCESS_METRICS = Symbol('tally:process-metrics');

@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly registry: Registry,
    @Inject(PROCESS_METRICS) private readonly processRegistry: Registry,
  ) {}

  /** Prometheus text exposition of this app's series and its process'. */
  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res() res: Response): Promise<void> {
    const [own, process] = await Promise.all([
      this.registry.metrics(),
      this.processRegistry.metrics(),
    ]);
    res.type(this.registry.contentType).send(`${own}\n${process}`);
  }
}
