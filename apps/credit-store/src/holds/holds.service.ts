import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, uuidv7, withTransactionRetry } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AccountRepository } from '../ledger/accounts/account.repository';
import { BalanceOutboxRepository } from '../outbox/balance-outbox.repository';
import { BalanceSnapshotRelay } from '../outbox/balance-snapshot.relay';
import { CreditStoreConfig } from '../config/credit-store.config';
import { LedgerService } from '../ledger/ledger.service';
import type { Hold } from '../ledger/holds/hold';
import { HoldRepository } from '../ledger/holds/hold.repository';
import type { AuthorizeHoldDto } from './dto/authorize-hold.dto';

/** How many accounts one expiry transaction takes on. */
const EXPIRY_BATCH = 200;

/**
 * Two-phase reservations (TigerBeetle's pending transfers): authorize reserves, a charge naming
 * the hold captures it (in the ledger transaction, see planMovements), void or expiry releases.
 * Every step locks the account row first, so authorizations of one account queue and
 * `balance − open holds ≥ amount` holds at every commit.
 */
@Injectable()
export class HoldsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerService,
    private readonly holds: HoldRepository,
    private readonly snapshots: BalanceOutboxRepository,
    private readonly snapshotRelay: BalanceSnapshotRelay,
    private readonly config: CreditStoreConfig,
  ) {}

  /** Reserves `amount` or refuses with 402; repeating a hold_id answers with that hold. */
  async authorize(request: AuthorizeHoldDto): Promise<Hold> {
    // A refusal is answered after the commit: the grants written off on the way stay written off.
    const outcome = await this.inTransaction(async (db): Promise<Hold | DomainError> => {
      const { user_id: userId } = request;
      const amount = BigInt(request.amount);
      // Credits of a grant that is due are not there to hold, even before the expiry job runs.
      const { accounts } = await this.ledger.lockExpiring(db, [userId]);
      const account = accounts.get(userId)!;
      if (request.hold_id) {
        const existing = await this.holds.find(db, request.hold_id);
        if (existing) return sameHold(existing, userId, amount);
      }
      const now = new Date();
      const available = account.balance - (await this.holds.sumOpen(db, userId, now));
      if (available < amount) {
        return new DomainError(
          ErrorCode.InsufficientCredits,
          `user ${userId} has ${available} credits available (balance ${account.balance} minus open holds), ${amount} asked`,
        );
      }
      const ttl = request.ttl_seconds ?? this.config.HOLD_DEFAULT_TTL_SECONDS;
      const created = await this.holds.insert(db, {
        hold_id: request.hold_id ?? uuidv7(),
        user_id: userId,
        amount,
        expires_at: new Date(now.getTime() + ttl * 1000),
        description: request.description ?? null,
      });
      await this.changed(db, [userId]);
      return created;
    });
    this.snapshotRelay.wake();
    if (outcome instanceof DomainError) throw outcome;
    return outcome;
  }

  /**
   * Releases an open hold. Voiding again answers the same; a hold that expired meanwhile answers
   * as expired (it is released either way); a captured one cannot be voided (409 hold_not_open).
   */
  async void(holdId: string): Promise<Hold> {
    const hold = await this.inTransaction(async (db) => {
      const found = await this.get(holdId, db);
      await this.accounts.lockAccounts(db, [found.user_id]);
      const [current] = (await this.holds.lock(db, [holdId])).values();
      if (current.status === 'captured') {
        throw new DomainError(
          ErrorCode.HoldNotOpen,
          `hold ${holdId} was captured by event ${current.capture_event_id} and cannot be voided`,
        );
      }
      if (current.status !== 'open') return current;
      const status = current.expires_at <= new Date() ? 'expired' : 'voided';
      const closed = await this.holds.close(db, holdId, status);
      await this.changed(db, [current.user_id]);
      return closed;
    });
    this.snapshotRelay.wake();
    return hold;
  }

  async get(holdId: string, db: EntityManager = this.dataSource.manager): Promise<Hold> {
    const hold = await this.holds.find(db, holdId);
    if (!hold) throw new DomainError(ErrorCode.NotFound, `hold ${holdId} does not exist`);
    return hold;
  }

  /** The hold expiry job: closes every open hold past its TTL; returns how many. */
  async expireDue(): Promise<number> {
    let expired = 0;
    for (;;) {
      const now = new Date();
      const batch = await this.inTransaction(async (db) => {
        const userIds = await this.holds.findUsersWithDueHolds(db, now, EXPIRY_BATCH);
        if (userIds.length === 0) return 0;
        await this.accounts.lockAccounts(db, userIds);
        const affected = await this.holds.expireDue(db, userIds, now);
        await this.changed(db, affected);
        return affected.length;
      });
      if (batch === 0) break;
      expired += batch;
    }
    if (expired > 0) this.snapshotRelay.wake();
    return expired;
  }

  /** A hold opened or closed: what can be authorized changed, so readers get a new snapshot. */
  private async changed(db: EntityManager, userIds: string[]): Promise<void> {
    await this.snapshots.enqueue(db, await this.accounts.bumpVersions(db, userIds));
  }

  private inTransaction<T>(run: (db: EntityManager) => Promise<T>): Promise<T> {
    return withTransactionRetry(() => this.dataSource.transaction('READ COMMITTED', run));
  }
}

function sameHold(existing: Hold, userId: string, amount: bigint): Hold {
  if (existing.user_id !== userId || existing.amount !== amount) {
    throw new DomainError(
      ErrorCode.AlreadyExists,
      `hold ${existing.hold_id} already exists for user ${existing.user_id} and amount ${existing.amount}`,
    );
  }
  return existing;
}
