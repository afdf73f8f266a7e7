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
import type { RouteCandidate, RoutedExchange } from '../upstreams/routed-exchange';
import { UpstreamExchange } from '../upstreams/upstream-exchange';
import { UpstreamPools } from '../upstreams/upstream-pools';
import type { Upstream, UpstreamApi } from '../upstreams/upstream-routes';
import { UpstreamMetrics } from '../upstreams/upstream.metrics';
import { Upstreams } from '../upstreams/upstreams';
import { MeteredCall, PricedTarget } from './metered-call';

/** What a surface knows of a call before it is made. */
export interface CallPlan {
  /** The price rules' scene (`chat`, `embedding`). */
  scene: string;
  /** The charge's source. */
  source: string;
  model: string;
  promptTokens: number;
  /** The most output the upstream is asked for, reserved in full (all choices). */
  outputTokens: number;
  /**
   * The client set no output limit: the gateway chooses the most per choice the user and the key
   * can afford (up to GUARD_DEFAULT_MAX_TOKENS; `outputTokens` is then not used).
   */
  chooseOutput?: { choices: number };
  /** The API the client speaks; only upstreams speaking it serve the call (default `openai`). */
  api?: UpstreamApi;
  /** The request may write its prompt to Anthropic's 1-hour cache (priced apart, dearer). */
  hourCacheWrites?: boolean;
  /**
   * The surface translates its calls for deployments of the other API (chat and messages): puts
   * the call in that API, or throws its 400 (untranslatable). Called before anything is reserved
   * or sent when a candidate speaks the other API; see translatable.
   */
  translate?: () => unknown;
}

/** A call whose credits are reserved, and its exchange with the deployments that may serve it. */
export interface OpenedCall {
  call: MeteredCall;
  exchange: RoutedExchange;
  /** The output limit per choice the gateway chose (`chooseOutput`), to send and to show. */
  maxOutputTokens?: number;
}

/** The header naming the deployment whose answer the client has. */
export const SERVED_BY_HEADER = 'x-tally-served-by';
/** The header giving the output limit the gateway chose for a call that set none. */
export const MAX_OUTPUT_HEADER = 'x-tally-max-output-tokens';

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
    private readonly pools: UpstreamPools,
  ) {}

  async open(key: ApiKey, plan: CallPlan): Promise<OpenedCall> {
    this.checkModel(key, plan.model);
    const { candidates, prices } = await this.pricedRoute(key, plan);
    const [asked, ...alternatives] = [...new Set(prices.values())];
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
        ...asked,
        alternatives,
        promptTokens: plan.promptTokens,
        outputTokens: plan.outputTokens,
        hourCacheWrites: plan.hourCacheWrites,
        sliceTokens: this.config.STREAM_SLICE_TOKENS,
        renewEveryMs: Math.ceil(this.config.RESERVATION_TTL_MS / 3),
      },
    );
    const least = Math.min(
      this.config.GUARD_MIN_OUTPUT_TOKENS,
      this.config.GUARD_DEFAULT_MAX_TOKENS,
    );
    const maxOutputTokens = await call.open(
      plan.chooseOutput && {
        most: this.config.GUARD_DEFAULT_MAX_TOKENS,
        least,
        choices: plan.chooseOutput.choices,
      },
    );
    const exchange = this.upstreams.exchange(
      candidates,
      call.estimatedTokens(),
      (served, attempts) => call.servedAt(prices.get(served)!, served.deployment.id, attempts),
    );
    return { call, exchange, maxOutputTokens };
  }

  /**
   * The candidates that can serve the call, each with its price: 404 model_not_found when the
   * asked model has none (no deployment, or no price rule for any); fallback models the key may
   * not call, or that are not priced, are left out.
   */
  private async pricedRoute(
    key: ApiKey,
    plan: CallPlan,
  ): Promise<{ candidates: RouteCandidate[]; prices: Map<RouteCandidate, PricedTarget> }> {
    const translating = plan.translate !== undefined;
    const found = this.upstreams.candidates(plan.model, plan.api, translating);
    if (!found.some((c) => c.model === plan.model)) {
      this.upstreamFor(plan.model, plan.api, translating);
    }
    const all = translatable(found, plan);
    const prices = new Map<RouteCandidate, PricedTarget>();
    const byTarget = new Map<string, PricedTarget>();
    let missing: unknown;
    for (const candidate of all) {
      if (candidate.model !== plan.model && !modelAllowed(key, candidate.model)) continue;
      const target = {
        scene: plan.scene,
        provider: candidate.deployment.provider,
        model: candidate.model,
      };
      const id = `${target.provider}\u0000${target.model}`;
      let priced = byTarget.get(id);
      if (!priced) {
        try {
          priced = { rule: await this.prices.ruleFor(target, ErrorCode.ModelNotFound), target };
          byTarget.set(id, priced);
        } catch (error) {
          missing ??= error;
          continue;
        }
      }
      prices.set(candidate, priced);
    }
    const candidates = all.filter((c) => prices.has(c));
    if (!candidates.some((c) => c.model === plan.model)) throw missing;
    return { candidates, prices };
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

  /** An exchange with one deployment, under its deadline (no retries: for calls not metered). */
  exchangeWith(upstream: Upstream): UpstreamExchange {
    return new UpstreamExchange(
      this.pools,
      upstream,
      this.config.UPSTREAM_TIMEOUT_MS,
      this.upstreamMetrics,
      upstream.timeoutMs,
    );
  }

  /** Runs a served call; one that ended some unforeseen way leaves its reservation to lapse. */
  async serve(opened: OpenedCall, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } finally {
      opened.call.stopRenewal();
      opened.exchange.release();
    }
  }
}

/**
 * The candidates that can take the call: when some speak the other API and the call does not
 * translate, those are left out as long as the asked model keeps a deployment of the surface's
 * own; otherwise the call is refused with the translation's 400 (nothing reserved or sent).
 */
function translatable(candidates: RouteCandidate[], plan: CallPlan): RouteCandidate[] {
  const api = plan.api ?? 'openai';
  if (!plan.translate || candidates.every((c) => c.deployment.api === api)) return candidates;
  try {
    plan.translate();
    return candidates;
  } catch (error) {
    const own = candidates.filter((c) => c.deployment.api === api);
    if (!own.some((c) => c.model === plan.model)) throw error;
    return own;
  }
}
