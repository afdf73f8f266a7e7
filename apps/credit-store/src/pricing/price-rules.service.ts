import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { RuleStatus } from '@tally/pricing';
import { AuditTrail, DomainError } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { PriceRule } from './price-rule';
import { PriceRuleRepository } from './price-rule.repository';
import { nextVersionFields, PriceRuleChange, sameFields } from './price-rule-version';

export interface PriceRuleWithHistory extends PriceRule {
  versions: PriceRule[];
}

/** Versioned price rules: every change is a new version; old versions stay to re-price history. */
@Injectable()
export class PriceRulesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: PriceRuleRepository,
    private readonly trail: AuditTrail,
  ) {}

  create(body: PriceRuleChange): Promise<PriceRule> {
    const fields = nextVersionFields(body);
    return this.dataSource.transaction(async (db) => {
      const id = await this.rules.create(db, fields);
      const created = (await this.rules.findCurrent(db, id))!;
      this.trail.note({ targetId: String(id), after: created });
      return created;
    });
  }

  /** A new version with the change applied; a change that changes nothing adds no version. */
  update(id: number, change: PriceRuleChange): Promise<PriceRule> {
    return this.dataSource.transaction(async (db) => {
      const current = await this.lockLive(db, id);
      const fields = nextVersionFields(change, current);
      if (sameFields(fields, current)) return current;
      await this.rules.addVersion(db, id, current.version + 1, fields);
      const updated = (await this.rules.findCurrent(db, id))!;
      this.trail.note({ before: current, after: updated });
      return updated;
    });
  }

  /** A last version with status deleted: it no longer matches, and its history stays. */
  remove(id: number): Promise<PriceRule> {
    return this.update(id, { status: 'deleted' });
  }

  /** The current version and every version before it; deleted rules too, for audit. */
  async get(id: number): Promise<PriceRuleWithHistory> {
    const db = this.dataSource.manager;
    const current = await this.rules.findCurrent(db, id);
    if (!current) throw notFound(id);
    return { ...current, versions: await this.rules.history(db, id) };
  }

  list(filter: { scene?: string; status?: RuleStatus }): Promise<PriceRule[]> {
    return this.rules.listCurrent(this.dataSource.manager, filter);
  }

  private async lockLive(db: EntityManager, id: number): Promise<PriceRule> {
    const rule = await this.rules.lockCurrent(db, id);
    if (!rule) throw notFound(id);
    if (rule.status === 'deleted') {
      throw new DomainError(ErrorCode.NotFound, `price rule ${id} is deleted`);
    }
    return rule;
  }
}

function notFound(id: number): DomainError {
  return new DomainError(ErrorCode.NotFound, `price rule ${id} does not exist`);
}
