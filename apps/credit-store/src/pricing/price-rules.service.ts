import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { CreatePriceRuleDto, QuoteDto, UpdatePriceRuleDto } from './dto/price-rule.dto';
import type { PriceRule } from './price-rule';
import { RuleFields, PriceRuleRepository } from './price-rule.repository';
import { matchRule, priceUsage, usageProblem } from './price-usage';

/** Which prices each mode needs. */
const REQUIRED: Record<PriceRule['mode'], (keyof RuleFields)[]> = {
  tokens: ['input_per_million', 'output_per_million'],
  fixed: ['credits_per_call'],
  duration: ['credits_per_second'],
  free: [],
};

function invalid(details: string[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, details.join('; '), details);
}

function checked(fields: RuleFields): RuleFields {
  const missing = REQUIRED[fields.mode].filter((f) => fields[f] === null);
  if (missing.length)
    throw invalid(missing.map((f) => `${f}: is required for mode ${fields.mode}`));
  return fields;
}

function fieldsOf(body: Partial<RuleFields>, base?: PriceRule): RuleFields {
  const pick = <K extends keyof RuleFields>(key: K, fallback: RuleFields[K]): RuleFields[K] =>
    body[key] ?? base?.[key] ?? fallback;
  return {
    scene: pick('scene', ''),
    provider: pick('provider', null),
    model: pick('model', null),
    mode: pick('mode', 'free'),
    priority: pick('priority', 0),
    input_per_million: pick('input_per_million', null),
    output_per_million: pick('output_per_million', null),
    cached_per_million: pick('cached_per_million', null),
    reasoning_per_million: pick('reasoning_per_million', null),
    credits_per_call: pick('credits_per_call', null),
    credits_per_second: pick('credits_per_second', null),
    min_credits: pick('min_credits', null),
    status: pick('status', 'active'),
  };
}

/** Versioned price rules: every change is a new version; old versions stay to re-price history. */
@Injectable()
export class PriceRulesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: PriceRuleRepository,
  ) {}

  create(body: CreatePriceRuleDto): Promise<PriceRule> {
    return this.dataSource.transaction(async (db) => {
      const id = await this.rules.create(db, checked(fieldsOf(body)));
      return (await this.rules.lockCurrent(db, id))!;
    });
  }

  update(id: number, change: UpdatePriceRuleDto | { status: 'deleted' }): Promise<PriceRule> {
    return this.dataSource.transaction(async (db) => {
      const current = await this.current(db, id);
      await this.rules.addVersion(db, id, current.version + 1, checked(fieldsOf(change, current)));
      return (await this.rules.lockCurrent(db, id))!;
    });
  }

  async get(id: number) {
    const db = this.dataSource.manager;
    const current = await this.current(db, id);
    return { ...current, versions: await this.rules.history(db, id) };
  }

  list(filter: { scene?: string; status?: string }): Promise<PriceRule[]> {
    return this.rules.listCurrent(this.dataSource.manager, filter);
  }

  /** Prices a usage with the matching active rule (the gateway's pricing and estimate call). */
  async quote(request: QuoteDto) {
    const problem = usageProblem(request.usage);
    if (problem) throw invalid([problem]);
    const rules = await this.rules.listCurrent(this.dataSource.manager, {
      scene: request.scene,
      status: 'active',
    });
    const rule = matchRule(rules, request);
    if (!rule) {
      throw new DomainError(
        ErrorCode.NoPriceRule,
        `no active price rule for scene ${request.scene}, provider ${request.provider ?? '-'}, model ${request.model ?? '-'}`,
      );
    }
    return {
      ...priceUsage(rule, request.usage),
      rule_id: rule.id,
      rule_version: rule.version,
      mode: rule.mode,
      usage: request.usage,
    };
  }

  /** Distinct models of the scene's active rules (the gateway's /v1/models). */
  async models(scene: string): Promise<string[]> {
    const rules = await this.rules.listCurrent(this.dataSource.manager, {
      scene,
      status: 'active',
    });
    return [...new Set(rules.flatMap((r) => (r.model ? [r.model] : [])))].sort();
  }

  private async current(db: EntityManager, id: number): Promise<PriceRule> {
    const rule = await this.rules.lockCurrent(db, id);
    if (!rule || rule.status === 'deleted') {
      throw new DomainError(ErrorCode.NotFound, `price rule ${id} does not exist`);
    }
    return rule;
  }
}
