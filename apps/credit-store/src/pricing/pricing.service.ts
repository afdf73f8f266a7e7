import { Injectable } from '@nestjs/common';
import { ChargeUsage, ErrorCode, PricingMode } from '@tally/contracts';
import { matchRule, priceCharge, PriceTarget, usageProblems } from '@tally/pricing';
import { DomainError } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { PriceRule } from './price-rule';
import { PriceRuleRepository } from './price-rule.repository';

export interface QuoteRequest extends PriceTarget {
  usage: ChargeUsage;
}

export interface Quote {
  amount: number;
  rule_id: number;
  rule_version: number;
  mode: PricingMode;
  /** The unrounded cost, a decimal string, for audit. */
  exact_cost: string;
  usage: ChargeUsage;
}

/** Prices usages with the rules: the gateway's pricing call, and re-pricing of past charges. */
@Injectable()
export class PricingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: PriceRuleRepository,
  ) {}

  /** Prices a usage with the matching active rule, or refuses with no_price_rule. */
  async quote(request: QuoteRequest, db: EntityManager = this.dataSource.manager): Promise<Quote> {
    const problems = usageProblems(request.usage);
    if (problems.length) throw invalid(problems);
    const rule = matchRule(await this.rules.listCandidates(db, request), request);
    if (!rule) {
      throw new DomainError(
        ErrorCode.NoPriceRule,
        `no active price rule for scene ${request.scene}, provider ${request.provider ?? '-'}, model ${request.model ?? '-'}`,
      );
    }
    return quoteWith(rule, request.usage);
  }

  /** Re-derives what (rule_id, rule_version) charges for a usage, whatever the rule is now. */
  async priceWithVersion(
    ruleId: number,
    version: number,
    usage: ChargeUsage,
    db: EntityManager = this.dataSource.manager,
  ): Promise<Quote> {
    const problems = usageProblems(usage);
    if (problems.length) throw invalid(problems);
    const rule = await this.rules.findVersion(db, ruleId, version);
    if (!rule) {
      throw new DomainError(ErrorCode.NotFound, `price rule ${ruleId} has no version ${version}`);
    }
    return quoteWith(rule, usage);
  }

  /** Distinct models of the scene's active rules (the gateway's /v1/models). */
  models(scene: string): Promise<string[]> {
    return this.rules.activeModels(this.dataSource.manager, scene);
  }
}

function quoteWith(rule: PriceRule, usage: ChargeUsage): Quote {
  const priced = priceCharge(rule, usage);
  if (!priced.ok) throw invalid(priced.problems);
  return {
    amount: priced.amount,
    rule_id: rule.id,
    rule_version: rule.version,
    mode: rule.mode,
    exact_cost: priced.exact_cost,
    usage,
  };
}

function invalid(problems: string[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, problems.join('; '), problems);
}
