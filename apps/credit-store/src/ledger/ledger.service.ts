import { Injectable } from '@nestjs/common';
import { AuditTrail, withTransactionRetry } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AccountRecord, AccountRepository } from './accounts/account.repository';
import { BalanceOutboxRepository } from '../outbox/balance-outbox.repository';
import { BalanceSnapshotRelay } from '../outbox/balance-snapshot.relay';
import { AccountEventRelay } from '../outbox/account-event.relay';
import { AccountEventRepository } from '../outbox/account-event.repository';
import { CreditStoreConfig } from '../config/credit-store.config';
import {
  AccountFact,
  accountEventsOf,
  expiringFactsOf,
  numberedEventsOf,
} from './events/account-events';
import type { EntryWatcher } from './events/entry-watcher';
import { GrantPolicy } from './grants/grant-policy';
import { GrantRepository } from './grants/grant.repository';
import { HoldRepository } from './holds/hold.repository';
import { accountsToSave, SavedAccount } from './accounts/charge-sequences';
import { LedgerConflictRepository } from './entries/ledger-conflict.repository';
import { EntryChain } from './entries/entry-chain';
import type { LedgerEntry, Movement, NewLedgerEntry, Refusal } from './entries/ledger-entry';
import type { ReservedIds } from './entries/id-reservation';
import type { RefundTarget } from './entries/refund-target';
import { LedgerRepository } from './entries/ledger.repository';
import { LedgerPlan, planMovements } from './plan-movements';
import { UsageMovement, UsageRecordRepository } from './entries/usage-record.repository';
import { RevenueDayRepository } from './revenue/revenue-day.repository';

/** What became of one movement, with the entry as stored (id, created_at) where there is one. */
export type LedgerOutcome =
  | { kind: 'applied' | 'duplicate'; movement: Movement; entry: LedgerEntry }
  | { kind: 'conflict'; movement: Movement; entry: LedgerEntry; reason: string }
  | { kind: 'refused'; movement: Movement; refusal: Refusal }
  | { kind: 'unpriced'; movement: Movement };

@Injectable()
export class LedgerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerRepository,
    private readonly grants: GrantRepository,
    private readonly holds: HoldRepository,
    private readonly conflicts: LedgerConflictRepository,
    private readonly usage: UsageRecordRepository,
    private readonly snapshots: BalanceOutboxRepository,
    private readonly snapshotRelay: BalanceSnapshotRelay,
    private readonly grantPolicy: GrantPolicy,
    private readonly revenue: RevenueDayRepository,
    private readonly trail: AuditTrail,
    private readonly chain: EntryChain,
    private readonly events: AccountEventRepository,
    private readonly eventRelay: AccountEventRelay,
    config: CreditStoreConfig,
  ) {
    const threshold = config.LOW_BALANCE_THRESHOLD;
    this.defaultLowBalance = threshold === undefined ? null : BigInt(threshold);
  }

  private readonly defaultLowBalance: bigint | null;
  private readonly watchers: EntryWatcher[] = [];

  /** Tells `watcher` of every ledger change from now on, in its transaction (see EntryWatcher). */
  watch(watcher: EntryWatcher): void {
    this.watchers.push(watcher);
  }

  /**
   * Applies movements in one transaction (see planMovements for the rules) and answers each with
   * its outcome, in order; a duplicate answers with the entry first recorded.
   */
  async applyMovements(movements: Movement[]): Promise<LedgerOutcome[]> {
    if (movements.length === 0) return [];
    const outcomes = await withTransactionRetry(() =>
      this.dataSource.transaction('READ COMMITTED', (db) => this.applyWithin(db, movements)),
    );
    this.snapshotRelay.wake();
    this.eventRelay.wake();
    return outcomes;
  }

  /** The same, inside a transaction the caller owns (e.g. crediting an order with its status). */
  async applyWithin(db: EntityManager, movements: Movement[]): Promise<LedgerOutcome[]> {
    const now = new Date();
    const userIds = movements.map((m) => m.user_id);
    const resolved = movements.map((m) => this.withGrantExpiry(m, now));
    const { plan, locked, reserved } = await this.planLocked(db, userIds, resolved, now);
    // Whatever becomes of them (applied, duplicate, refused), these charges are now taken in.
    const written = await this.write(
      db,
      plan,
      locked,
      accountsToSave(plan.accounts, locked, movements),
      reserved,
      resolved,
    );
    await this.usage.insert(db, usageOf(plan));
    // Bus messages cannot be answered with a 409, so their conflicts are kept for investigation.
    await this.conflicts.record(
      db,
      plan.outcomes.flatMap((o) =>
        o.kind === 'conflict' && o.movement.origin
          ? [{ movement: o.movement, reason: o.reason }]
          : [],
      ),
    );
    if (!plan.outcomes.some((o) => o.kind === 'applied')) this.trail.nothingChanged();
    return plan.outcomes.map((outcome): LedgerOutcome => {
      if (outcome.kind === 'refused' || outcome.kind === 'unpriced') return outcome;
      // Entries planned in this batch are replaced by the rows written (with id and created_at).
      return {
        ...outcome,
        entry: written.get(outcome.entry.event_id) ?? (outcome.entry as LedgerEntry),
      };
    });
  }

  /** Writes off the expired grants of these accounts (the expiry job); returns how many. */
  async expireGrants(userIds: string[]): Promise<number> {
    const expired = await withTransactionRetry(() =>
      this.dataSource.transaction('READ COMMITTED', async (db) => {
        const { written } = await this.lockExpiring(db, userIds);
        return written;
      }),
    );
    if (expired > 0) {
      this.snapshotRelay.wake();
      this.eventRelay.wake();
    }
    return expired;
  }

  /**
   * Announces these accounts' grants that expire in (now, horizon] with credits left: one
   * `grant.expiring` each, ever (the grant is marked in the same transaction, under its account's
   * lock, so a second run or replica finds it taken). Returns how many.
   */
  async announceExpiringGrants(userIds: string[], now: Date, horizon: Date): Promise<number> {
    const announced = await withTransactionRetry(() =>
      this.dataSource.transaction('READ COMMITTED', (db) =>
        this.writeAccountFacts(db, userIds, async (accounts) =>
          expiringFactsOf(await this.grants.claimExpiring(db, userIds, now, horizon), accounts),
        ),
      ),
    );
    if (announced > 0) this.eventRelay.wake();
    return announced;
  }

  /**
   * Account events that are not a ledger entry's (a grant expiring, a charge dead-lettered), in
   * the caller's transaction: the accounts are locked before `factsOf` runs, so what it claims and
   * the seqs it is numbered with are taken by one transaction alone. Only existing accounts are
   * told: a fact creates no account (a refused message names any user it likes, and must leave
   * nothing of its own behind). Returns how many events were written; the caller wakes the relay.
   */
  async writeAccountFacts(
    db: EntityManager,
    userIds: string[],
    factsOf: (accounts: ReadonlyMap<string, AccountRecord>) => Promise<AccountFact[]>,
  ): Promise<number> {
    const accounts = userIds.length
      ? await this.accounts.lockExistingAccounts(db, userIds)
      : new Map<string, AccountRecord>();
    const facts = await factsOf(accounts);
    const { events, seqs } = numberedEventsOf(
      facts.filter((fact) => accounts.has(fact.user_id)),
      accounts,
    );
    await this.events.insert(db, events);
    await this.accounts.saveEventSeqs(db, seqs);
    return events.length;
  }

  /** Wakes the account-event relay, after a transaction that wrote events has committed. */
  wakeEventRelay(): void {
    this.eventRelay.wake();
  }

  /**
   * Locks the accounts in the caller's transaction and first writes off their grants that are
   * due, as every ledger transaction does: a due grant is gone at that moment, job or not. Answers
   * the accounts as they then stand and how many grants were written off.
   */
  async lockExpiring(
    db: EntityManager,
    userIds: string[],
  ): Promise<{ accounts: Map<string, AccountRecord>; written: number }> {
    const { plan, locked, reserved } = await this.planLocked(db, userIds, [], new Date());
    await this.write(db, plan, locked, accountsToSave(plan.accounts, locked, []), reserved);
    const accounts = new Map(locked);
    for (const changed of plan.accounts) {
      accounts.set(changed.user_id, { ...locked.get(changed.user_id)!, ...changed });
    }
    return { accounts, written: plan.entries.length };
  }

  private async planLocked(
    db: EntityManager,
    userIds: string[],
    movements: Movement[],
    now: Date,
  ): Promise<{
    plan: LedgerPlan<LedgerEntry>;
    locked: Map<string, AccountRecord>;
    reserved: ReservedIds | null;
  }> {
    // Accounts first, always: grants and holds change only under their account's lock. The
    // entries' ids come in the same round trip, under those locks (see EntryChain.link).
    const { accounts, reserved } = await this.accounts.lockAndReserve(
      db,
      userIds,
      this.chain.idsToReserve(movements.length),
    );
    const holdIds = movements.flatMap((m) => (m.hold_id ? [m.hold_id] : []));
    const [grants, holds, recorded] = [
      await this.grants.findSpendable(db, userIds),
      await this.holds.lock(db, holdIds),
      await this.ledger.findByEventIds(
        db,
        movements.map((m) => m.event_id),
      ),
    ];
    const { targets, named } = await this.refundAndVoidState(db, movements);
    const plan = planMovements(
      { accounts, grants, holds, recorded, targets, named, now },
      movements,
    );
    return { plan, locked: accounts, reserved };
  }

  /**
   * The charges the refunds name (with what was refunded of them), and every grant those charges
   * drew from or a void names, spendable or not. Read under the accounts' locks: a charge and its
   * refunds belong to one account, so no other transaction refunds it meanwhile.
   */
  private async refundAndVoidState(db: EntityManager, movements: Movement[]) {
    const chargeIds = movements.flatMap((m) => (m.refund ? [m.refund.of] : []));
    const charges = chargeIds.length
      ? await this.ledger.findByEventIds(db, chargeIds)
      : new Map<string, LedgerEntry>();
    const refunded = await this.ledger.sumRefunds(db, chargeIds);
    const targets = new Map<string, RefundTarget>(
      [...charges.values()].map((c) => [
        c.event_id,
        { ...c, refunded: refunded.get(c.event_id) ?? 0n },
      ]),
    );
    const grantIds = [
      ...[...charges.values()].flatMap((c) => (c.allocations ?? []).map((a) => a.grant)),
      ...movements.flatMap((m) => (m.void_grant ? [m.void_grant] : [])),
      // An order refund marks its order's grant, which may hold nothing any more.
      ...movements.flatMap((m) => (m.draw_first ? [m.draw_first] : [])),
    ];
    return { targets, named: await this.grants.findByEventIds(db, grantIds) };
  }

  private async write(
    db: EntityManager,
    plan: LedgerPlan<LedgerEntry>,
    locked: ReadonlyMap<string, AccountRecord>,
    accounts: SavedAccount[],
    reserved: ReservedIds | null,
    movements: readonly Movement[] = [],
  ) {
    const heads = new Map<string, string | null>();
    const written = await this.ledger.insertEntries(
      db,
      await this.chain.link(db, plan.entries, locked, heads, reserved),
    );
    await this.grants.save(db, plan.grants);
    await this.holds.capture(db, plan.captures);
    await this.accounts.saveBalances(db, accounts, heads);
    await this.snapshots.enqueue(db, accounts);
    await this.revenue.add(db, plan.revenue);
    await this.writeEvents(db, plan.entries, locked, movements);
    return written;
  }

  /** The account events the entries cause, numbered under the accounts' locks (see accountEventsOf). */
  private async writeEvents(
    db: EntityManager,
    entries: readonly NewLedgerEntry[],
    locked: ReadonlyMap<string, AccountRecord>,
    movements: readonly Movement[],
  ) {
    if (entries.length === 0) return;
    const { events, seqs } = accountEventsOf(entries, {
      accounts: locked,
      defaultLowBalance: this.defaultLowBalance,
      movements: new Map(movements.map((m) => [m.event_id, m])),
    });
    const watched = await this.watchedEvents(db, entries, locked, seqs);
    await this.events.insert(db, [...events, ...watched.events]);
    await this.accounts.saveEventSeqs(db, new Map([...seqs, ...watched.seqs]));
  }

  /** The watchers' facts about these entries, numbered after the entries' own events. */
  private async watchedEvents(
    db: EntityManager,
    entries: readonly NewLedgerEntry[],
    locked: ReadonlyMap<string, AccountRecord>,
    seqs: ReadonlyMap<string, bigint>,
  ) {
    const facts: AccountFact[] = [];
    for (const watcher of this.watchers) {
      facts.push(...(await watcher.factsOf(db, entries, locked)));
    }
    const numbered = new Map(
      [...locked].map(([userId, account]) => [
        userId,
        { event_seq: seqs.get(userId) ?? account.event_seq },
      ]),
    );
    return numberedEventsOf(
      facts.filter((fact) => locked.has(fact.user_id)),
      numbered,
    );
  }

  private withGrantExpiry(movement: Movement, now: Date): Movement {
    if (movement.direction !== 'income' || movement.expires_at !== undefined) return movement;
    return { ...movement, expires_at: this.grantPolicy.expiresAt(movement.source, now) };
  }
}

/** Usage rows for the charges that were applied or free (not repeats, conflicts or refusals). */
function usageOf(plan: LedgerPlan<LedgerEntry>): UsageMovement[] {
  return plan.outcomes.flatMap((o) =>
    (o.kind === 'applied' || o.kind === 'unpriced') && o.movement.usage
      ? [o.movement as UsageMovement]
      : [],
  );
}
