import {
  Controller,
  Get,
  Inject,
  OnApplicationShutdown,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { Public } from '../auth/token-auth.decorator';
import { READINESS_CHECKS, ReadinessCheck } from './readiness-check';

/** A dependency that does not answer within this counts as down (a probe must answer promptly). */
const CHECK_TIMEOUT_MS = 3000;

function withTimeout(check: Promise<void>): Promise<void> {
  return Promise.race([
    check,
    new Promise<void>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

/**
 * Liveness (`/health`: the process serves HTTP) and readiness (`/health/ready`: every readiness
 * check passes; 503 naming the failing ones otherwise), in @nestjs/terminus' shape.
 */
@Public()
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.checks.map((check) => () => this.indicate(check)));
    } catch (error) {
      // Terminus answers "not ready" with this exception; its body is the probe's answer, not an
      // error for the app's error filter to reshape.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(error.getStatus());
      return error.getResponse() as HealthCheckResult;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.checks.map((check) => check.close?.() ?? Promise.resolve()));
  }

  private async indicate(readiness: ReadinessCheck): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(readiness.name);
    try {
      await withTimeout(readiness.check());
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
