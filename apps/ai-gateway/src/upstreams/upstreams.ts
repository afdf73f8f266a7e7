import { Injectable, Optional } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway.config';
import { DeploymentHealth, DeploymentView } from './deployment-health';
import { UpstreamPools } from './upstream-pools';
import { modelChain, ModelFallbacks, parseModelFallbacks } from './model-fallbacks';
import { orderDeployments } from './route-order';
import { RouteCandidate, RoutedExchange } from './routed-exchange';
import {
  deploymentsFor,
  parseUpstreams,
  Upstream,
  UpstreamApi,
  upstreamFor,
} from './upstream-routes';
import { UpstreamMetrics } from './upstream.metrics';

/**
 * The configured deployments and model fallbacks (read once at start-up: a bad UPSTREAMS or
 * MODEL_FALLBACKS stops the app, naming the entry and field), their health on this replica, and
 * the routes of calls through them.
 */
@Injectable()
export class Upstreams {
  private readonly list: Upstream[];
  private readonly fallbacks: ModelFallbacks;
  private readonly health: DeploymentHealth;

  constructor(
    private readonly config: GatewayConfig,
    private readonly pools: UpstreamPools,
    @Optional() private readonly metrics?: UpstreamMetrics,
  ) {
    this.list = parseUpstreams(config);
    this.fallbacks = parseModelFallbacks(config.MODEL_FALLBACKS);
    this.health = new DeploymentHealth({
      cooldownFailures: config.UPSTREAM_COOLDOWN_FAILURES,
      cooldownMs: config.UPSTREAM_COOLDOWN_SECONDS * 1000,
    });
  }

  /**
   * The first deployment that serves the model to a surface speaking `api` (or, `translating`, one
   * of the other API when none speaks it), for calls that are not retried.
   */
  for(model: string, api: UpstreamApi = 'openai', translating = false): Upstream | undefined {
    return upstreamFor(this.list, model, api, translating);
  }

  /**
   * Where a call of `model` may be served, in the order to try: the model's deployments (by
   * priority, weighted among equals; translating, those of the other API after the surface's
   * own), then each fallback model's.
   */
  candidates(model: string, api: UpstreamApi = 'openai', translating = false): RouteCandidate[] {
    return modelChain(this.fallbacks, model).flatMap((m) => {
      const serving = deploymentsFor(this.list, m, api, translating);
      // Those speaking the surface's API first: translating is the model's last resort.
      const own = orderDeployments(serving.filter((d) => d.api === api));
      const other = orderDeployments(serving.filter((d) => d.api !== api));
      return [...own, ...other].map((deployment) => ({ deployment, model: m }));
    });
  }

  /** An exchange for one call across `candidates` (see RoutedExchange). */
  exchange(
    candidates: readonly RouteCandidate[],
    tokens: number,
    onServed?: (candidate: RouteCandidate, attempts: number) => void,
  ): RoutedExchange {
    return new RoutedExchange(
      candidates,
      {
        pools: this.pools,
        health: this.health,
        metrics: this.metrics,
        settings: {
          maxAttempts: this.config.UPSTREAM_MAX_ATTEMPTS,
          retryAfterMaxMs: this.config.UPSTREAM_RETRY_AFTER_MAX_MS,
          idleTimeoutMs: this.config.UPSTREAM_TIMEOUT_MS,
        },
      },
      tokens,
      onServed,
    );
  }

  /** Every deployment and how it fares (`GET /admin/upstreams`). */
  view(): DeploymentView[] {
    return this.health.view(this.list);
  }
}
