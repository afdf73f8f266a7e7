import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NewLedgerEntry } from '../ledger/entries/ledger-entry';
import type { AccountFact } from '../ledger/events/account-events';
import type { EntryWatcher } from '../ledger/events/entry-watcher';
import { LedgerService } from '../ledger/ledger.service';
import { OrdersService } from '../orders/orders.service';
import { ProductsService } from '../products/products.service';
import {
  Crossing,
  crossingsOf,
  decide,
  limitReachedFact,
  monthStart,
  requestedFact,
  utcMonth,
} from './auto-topup';
import { AutoTopupRepository } from './auto-topup.repository';

/**
 * Auto top-up, in the transaction of the ledger change that crosses an account's threshold and
 * under its lock: an order for the product (a normal pending order, paid by POST
 * /orders/{id}/paid) and `auto_topup.requested`, or `auto_topup.limit_reached` once a month past
 * the cap. An entry applied again is no entry, so a redelivered charge crosses nothing.
 */
@Injectable()
export class AutoTopupWatcher implements EntryWatcher, OnModuleInit {
  private readonly logger = new Logger(AutoTopupWatcher.name);

  constructor(
    private readonly ledger: LedgerService,
    private readonly settings: AutoTopupRepository,
    private readonly orders: OrdersService,
    private readonly products: ProductsService,
  ) {}

  onModuleInit(): void {
    this.ledger.watch(this);
  }

  async factsOf(db: EntityManager, entries: readonly NewLedgerEntry[]): Promise<AccountFact[]> {
    const debited = entries.filter((e) => e.balance_after < e.balance_before).map((e) => e.user_id);
    if (debited.length === 0) return [];
    const settings = await this.settings.findForUsers(db, [...new Set(debited)]);
    if (settings.size === 0) return [];
    const facts: AccountFact[] = [];
    for (const crossing of crossingsOf(entries, settings)) {
      const fact = await this.onCrossing(db, crossing, new Date());
      if (fact) facts.push(fact);
    }
    return facts;
  }

  private async onCrossing(
    db: EntityManager,
    crossing: Crossing,
    now: Date,
  ): Promise<AccountFact | null> {
    const { user_id } = crossing.entry;
    const month = utcMonth(now);
    const state = await this.orders.autoTopupState(db, user_id, monthStart(now));
    const decision = decide(crossing.setting, state, month);
    if (decision === 'nothing') return null;
    if (decision === 'limit_reached') {
      await this.settings.markLimitReached(db, user_id, month);
      return limitReachedFact(crossing, month);
    }
    const product = await this.products.get(crossing.setting.product_id, db);
    if (product.status !== 'active') {
      this.logger.warn(`auto top-up of ${user_id}: product ${product.id} is not on sale`);
      return null;
    }
    const order = await this.orders.createAutoTopup(db, user_id, product);
    return order ? requestedFact(crossing, order) : null;
  }
}
