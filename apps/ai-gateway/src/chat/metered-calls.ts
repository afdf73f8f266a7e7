import { Injectable, Logger } from '@nestjs/common';
import type { PriceRuleVersion, PriceTarget } from '@tally/pricing';
import type { ApiKey } from '../api-keys/api-key.repository';
import { BalanceGuard } from '../balances/balance-guard';
import { ChargesService } from '../charges/charges.service';
import { GatewayConfig } from '../config/gateway.config';
import { PriceBook } from '../pricing/price-book';
import { MeteredCall } from './metered-call';

/** Makes the MeteredCall of one client call with the gateway's settings (slices, renewal). */
@Injectable()
export class MeteredCalls {
  private readonly logger = new Logger(MeteredCall.name);

  constructor(
    private readonly config: GatewayConfig,
    private readonly guard: BalanceGuard,
    private readonly charges: ChargesService,
    private readonly prices: PriceBook,
  ) {}

  /** Not yet opened: `open()` reserves (or refuses with 402). */
  create(
    key: ApiKey,
    rule: PriceRuleVersion,
    target: PriceTarget,
    tokens: { prompt: number; output: number },
  ): MeteredCall {
    return new MeteredCall(
      {
        guard: this.guard,
        charges: this.charges,
        prices: this.prices,
        onRecordFailure: (error, attempt) =>
          this.logger.warn(
            `could not record the charge of a ${target.scene} call (attempt ${attempt}), trying again: ${String(error)}`,
          ),
      },
      {
        userId: key.user_id,
        apiKeyId: key.id,
        rule,
        target,
        promptTokens: tokens.prompt,
        outputTokens: tokens.output,
        sliceTokens: this.config.STREAM_SLICE_TOKENS,
        renewEveryMs: Math.ceil(this.config.RESERVATION_TTL_MS / 3),
      },
    );
  }
}
