import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';
import { currentRequestScope } from '../logging/request-context';
import { AuditOutcome, AuditRecord, auditInsert } from './audit-record';

export const AUDIT_APP = Symbol('tally:audit-app');

/**
 * The audit trail of one app. As a TypeORM subscriber it puts a request's record into the first
 * transaction of that request to commit, just before its COMMIT: no change without its record.
 * At the start of such a transaction it also sets `tally.actor`, which ledger entries take as the
 * default of their `actor` column (a manual grant shows who gave it, with no change to the insert).
 */
@Injectable()
export class AuditTrail implements EntitySubscriberInterface, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUDIT_APP) readonly app: string,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  /** What the change was and became, for the request's record (called inside its transaction). */
  note(change: { before?: unknown; after?: unknown; targetId?: string }): void {
    const audit = currentRequestScope()?.audit;
    if (!audit) return;
    if (change.before !== undefined) audit.record.before = change.before;
    if (change.after !== undefined) audit.record.after = change.after;
    if (change.targetId !== undefined) audit.record.target.id = change.targetId;
  }

  /**
   * The transaction under way changes nothing after all (an idempotent repeat, a conflict): its
   * commit carries no record, which the request's end then writes with its real outcome.
   */
  nothingChanged(): void {
    const audit = currentRequestScope()?.audit;
    if (audit?.state === 'pending') audit.skipCommit = true;
  }

  /**
   * The request was passed on, as the person's, to the app that decided it, which wrote the one
   * record in its change's transaction: this app writes none for it.
   */
  recordedUpstream(): void {
    const audit = currentRequestScope()?.audit;
    if (audit) audit.state = 'committed';
  }

  async afterTransactionStart(event: TransactionStartEvent): Promise<void> {
    const scope = currentRequestScope();
    if (!scope?.audit || !scope.principal || event.queryRunner.connection !== this.dataSource)
      return;
    const { id, name } = scope.principal;
    await event.queryRunner.query(`SELECT set_config('tally.actor', $1, true)`, [
      JSON.stringify({ id, name }),
    ]);
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const audit = currentRequestScope()?.audit;
    if (!audit || audit.state !== 'pending') return;
    if (event.queryRunner.connection !== this.dataSource) return;
    if (audit.skipCommit) {
      audit.skipCommit = false;
      return;
    }
    if ((event.queryRunner as unknown as { transactionDepth: number }).transactionDepth !== 1)
      return;
    const [sql, params] = auditInsert({ ...audit.record, outcome: 'ok' });
    await event.queryRunner.query(sql, params);
    audit.state = 'written';
  }

  afterTransactionCommit(): void {
    const audit = currentRequestScope()?.audit;
    if (audit?.state === 'written') audit.state = 'committed';
  }

  afterTransactionRollback(_event: TransactionRollbackEvent): void {
    const audit = currentRequestScope()?.audit;
    if (!audit) return;
    audit.skipCommit = false;
    if (audit.state === 'written') audit.state = 'pending';
  }

  /**
   * The request's record on its own, when no transaction of it committed one: the request was
   * refused or failed (nothing changed), or its change was not made in a transaction.
   */
  async settle(
    outcome: AuditOutcome,
    status?: number,
    audit = currentRequestScope()?.audit,
  ): Promise<void> {
    if (!audit || audit.state === 'committed') return;
    audit.state = 'committed';
    await this.writeAlone({ ...audit.record, outcome, status: status ?? audit.record.status });
  }

  async writeAlone(record: AuditRecord): Promise<void> {
    const [sql, params] = auditInsert(record);
    await this.dataSource.query(sql, params);
  }
}
