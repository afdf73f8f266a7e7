import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { ApiKey } from '../api-keys/api-key.repository';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { countsCalls, modelAllowed } from '../api-keys/key-limits';
import { BalanceGuard } from '../balances/balance-guard';
import { ChargesService } from '../charges/charges.service';
import { GatewayConfig } from '../config/gateway.config';
import { PriceBook } from '../pricing/price-book';
import { UpstreamExchange } from '../upstreams/upstream-exchange';
import type { Upstream, UpstreamApi } from '../upstreams/upstream-routes';
import { UpstreamMetrics } from '../upstreams/upstream.metrics';
import { Upstreams } from '../upstreams/upstreams';
import { MeteredCall } from './metered-call';

/** What a surface knows of a call before it is made. */
export interface CallPlan {
  /** The price rules' scene (`chat`, `embedding`). */
  scene: string;
  /** The charge's source. */
  source: string;
  model: string;
  promptTokens: number;
  /** The most output the upstream is asked for, reserved in full. */
  outputTokens: number;
  /** The API the client speaks; only upstreams speaking it serve the call (default `openai`). */
  api?: UpstreamApi;
  /** The request may write its prompt to Anthropic's 1-hour cache (priced apart, dearer). */
  hourCacheWrites?: boolean;
  /** The upstream already chosen (upstreamFor), e.g. one of another API the call is translated to. */
  upstream?: Upstream;
}

/** A call whose credits are reserved, and the exchange with the upstream that serves its model. */
export interface OpenedCall {
  call: MeteredCall;
  exchange: UpstreamExchange;
}

/**
 * Opens metered calls for every client surface: finds the model's upstream and price rule (404
 * model_not_found for either missing; 403 model_not_allowed for a model its key may not call), then
 * reserves what the call may cost (402 when the user or the key's budget cannot cover it, 429 when
 * the key's rate limits are reached), all before the upstream is asked anything.
 */
@Injectable()
export class MeteredCalls {
  private readonly logger = new Logger(MeteredCalls.name);

  constructor(
    private readonly config: GatewayConfig,
    private readonly prices: PriceBook,
    private readonly guard: BalanceGuard,
    private readonly charges: ChargesService,
    private readonly upstreams: Upstreams,
    private readonly keys: ApiKeysService,
    private readonly upstreamMetrics: UpstreamMetrics,
  ) {}

  /** The output limit a call gets when its client set none: the gateway's own, reserved in full. */
  get defaultMaxOutputTokens(): number {
    return this.config.GUARD_DEFAULT_MAX_TOKENS;
  }

  async open(key: ApiKey, plan: CallPlan): Promise<OpenedCall> {
    this.checkModel(key, plan.model);
    const upstream = plan.upstream ?? this.upstreamFor(plan.model, plan.api);
    const target = { scene: plan.scene, provider: upstream.provider, model: plan.model };
    const rule = await this.prices.ruleFor(target, ErrorCode.ModelNotFound);
    const call = new MeteredCall(
      {
        guard: this.guard,
        charges: this.charges,
        prices: this.prices,
        correctTokens: (id, minute, delta) => this.keys.correctTokens(id, minute, delta),
        onRecordFailure: (error, attempt) =>
          this.logger.warn(
            `could not record a ${plan.source} charge (attempt ${attempt}), trying again: ${String(error)}`,
          ),
      },
      {
        userId: key.user_id,
        apiKeyId: key.id,
        keyCountsCalls: countsCalls(key),
        keyCountsTokens: key.tpm !== null,
        source: plan.source,
        rule,
        target,
        promptTokens: plan.promptTokens,
        outputTokens: plan.outputTokens,
        hourCacheWrites: plan.hourCacheWrites,
        sliceTokens: this.config.STREAM_SLICE_TOKENS,
        renewEveryMs: Math.ceil(this.config.RESERVATION_TTL_MS / 3),
      },
    );
    await call.open();
    return { call, exchange: this.exchangeWith(upstream) };
  }

  /** 403 model_not_allowed when the key's model list leaves the model out. */
  checkModel(key: ApiKey, model: string): void {
    if (modelAllowed(key, model)) return;
    throw new DomainError(
      ErrorCode.ModelNotAllowed,
      `this API key may not call the model ${model} (it may call ${key.models!.join(', ')})`,
    );
  }

  /**
   * The upstream that serves the model in the client's API (or, `translating`, in the other one
   * when none does), or 404 model_not_found.
   */
  upstreamFor(model: string, api: UpstreamApi = 'openai', translating = false): Upstream {
    const upstream = this.upstreams.for(model, api, translating);
    if (!upstream) {
      const which = api === 'openai' || translating ? 'upstream' : `${api} upstream`;
      throw new DomainError(ErrorCode.ModelNotFound, `no ${which} serves the model ${model}`);
    }
    return upstream;
  }

  /** An exchange with the upstream, under the gateway's upstream deadline. */
  exchangeWith(upstream: Upstream): UpstreamExchange {
    return new UpstreamExchange(upstream, this.config.UPSTREAM_TIMEOUT_MS, this.upstreamMetrics);
  }

  /** Runs a served call; one that ended some unforeseen way leaves its reservation to lapse. */
  async serve(opened: OpenedCall, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } finally {
      opened.call.stopRenewal();
    }
  }
}
