import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ChargePricing, ChargeUsage, ErrorCode } from '@tally/contracts';
import { matchRule, priceCharge, PriceRuleVersion, PriceTarget } from '@tally/pricing';
import { DomainError, PollingLoop } from '@tally/platform';
import { GatewayConfig } from '../config/gateway.config';
import { CreditStoreClient } from '../credit-store-api/credit-store.client';

/** A usage priced: the credits and how they were derived (for the charge's `pricing`). */
export interface PricedCall {
  amount: number;
  pricing: ChargePricing;
}

/** Reading again on a miss at most this often, so unknown models cannot hammer the credit-store. */
const MISS_REFRESH_MS = 250;

/**
 * The credit-store's active price rules, kept in memory and read again every
 * PRICE_RULES_REFRESH_MS (and at once when a target has no rule), priced with the same code the
 * credit-store uses. Each charge names the rule and version it was priced with, so a charge made
 * with a rule that changed a moment ago is still exactly re-derivable.
 */
@Injectable()
export class PriceBook implements OnApplicationBootstrap, OnApplicationShutdown {
  private rules?: PriceRuleVersion[];
  private loadedAt = 0;
  private loading?: Promise<void>;
  private readonly loop: PollingLoop;

  constructor(
    config: GatewayConfig,
    private readonly store: CreditStoreClient,
  ) {
    this.loop = new PollingLoop('PriceBook', () => this.refresh().then(() => 0), {
      intervalMs: config.PRICE_RULES_REFRESH_MS,
      maxBackoffMs: config.PRICE_RULES_REFRESH_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** The rule for the target, or a 404 model_not_found / 422 no_price_rule as the caller asks. */
  async ruleFor(target: PriceTarget, missing: ErrorCode): Promise<PriceRuleVersion> {
    let rule = matchRule(await this.current(), target);
    if (!rule && Date.now() - this.loadedAt > MISS_REFRESH_MS) {
      await this.refresh();
      rule = matchRule(await this.current(), target);
    }
    if (!rule) {
      throw new DomainError(
        missing,
        missing === ErrorCode.ModelNotFound
          ? `the model ${target.model ?? '-'} does not exist or is not priced`
          : `no active price rule for scene ${target.scene}, provider ${target.provider ?? '-'}, model ${target.model ?? '-'}`,
      );
    }
    return rule;
  }

  /** Prices a usage with a rule, exactly as the credit-store's POST /quotes would. */
  price(rule: PriceRuleVersion, target: PriceTarget, usage: ChargeUsage): PricedCall {
    const priced = priceCharge(rule, usage);
    if (!priced.ok) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        priced.problems.join('; '),
        priced.problems,
      );
    }
    return {
      amount: priced.amount,
      pricing: {
        rule_id: String(rule.id),
        rule_version: rule.version,
        model: target.model ?? undefined,
        provider: target.provider ?? undefined,
        mode: rule.mode,
        usage,
      },
    };
  }

  /** Active rules of a scene that name a model (the chat models of /v1/models). */
  async modelRules(scene: string): Promise<PriceRuleVersion[]> {
    return (await this.current()).filter(
      (rule) => rule.scene === scene && rule.model !== null && rule.status === 'active',
    );
  }

  private async current(): Promise<PriceRuleVersion[]> {
    if (!this.rules) await this.refresh();
    return this.rules!;
  }

  /** One load at a time; callers arriving meanwhile wait for it. */
  private refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const answer = await this.store.call('GET', '/admin/price-rules?status=active', undefined, {
      routine: true,
    });
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        `the credit-store answered ${answer.status} for the price rules`,
      );
    }
    this.rules = answer.body as PriceRuleVersion[];
    this.loadedAt = Date.now();
  }
}
