import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ErrorCode } from '@tally/contracts';
import { AuditTrail, DomainError } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { ProductsService } from '../products/products.service';
import { OrdersService } from '../orders/orders.service';
import { AutoTopup, monthStart } from './auto-topup';
import { AutoTopupRepository } from './auto-topup.repository';
import type { AutoTopupDto } from './dto/auto-topup.dto';

/** An account's auto top-up as clients see it: all null when it is off. */
export interface AutoTopupView {
  user_id: string;
  threshold: number | null;
  product_id: number | null;
  max_per_month: number | null;
}

/** What GET answers besides: the open auto top-up order to pay, and the month's paid ones. */
export interface AutoTopupStatusView extends AutoTopupView {
  open_order_id: string | null;
  paid_this_month: number;
}

@Injectable()
export class AutoTopupSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: AutoTopupRepository,
    private readonly products: ProductsService,
    private readonly orders: OrdersService,
    private readonly trail: AuditTrail,
  ) {}

  async get(userId: string): Promise<AutoTopupStatusView> {
    const db = this.dataSource.manager;
    const state = await this.orders.autoTopupState(db, userId, monthStart(new Date()));
    return {
      ...viewOf(userId, await this.settings.find(db, userId)),
      open_order_id: state.open,
      paid_this_month: state.paid,
    };
  }

  /** Sets or (threshold null) removes it, with its audit record, in one transaction. */
  set(userId: string, body: AutoTopupDto): Promise<AutoTopupView> {
    return this.dataSource.transaction(async (db) => {
      const before = viewOf(userId, await this.settings.find(db, userId, true));
      let after = viewOf(userId, undefined);
      if (body.threshold === null) {
        await this.settings.remove(db, userId);
      } else {
        const product_id = await this.productOnSale(db, body.product_id!);
        const saved = await this.settings.save(db, {
          user_id: userId,
          threshold: BigInt(body.threshold),
          product_id,
          max_per_month: body.max_per_month!,
        });
        after = viewOf(userId, saved);
      }
      this.trail.note({ before, after });
      return after;
    });
  }

  private async productOnSale(db: EntityManager, productId: number): Promise<number> {
    const product = await this.products.get(productId, db).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) return undefined;
      throw error;
    });
    if (!product || product.status !== 'active') {
      const why = product ? 'is not on sale' : 'does not exist';
      throw new DomainError(ErrorCode.ValidationFailed, `product_id: product ${productId} ${why}`, [
        `product_id: product ${why}`,
      ]);
    }
    return product.id;
  }
}

function viewOf(userId: string, setting: AutoTopup | undefined): AutoTopupView {
  return {
    user_id: userId,
    threshold: setting ? Number(setting.threshold) : null,
    product_id: setting?.product_id ?? null,
    max_per_month: setting?.max_per_month ?? null,
  };
}
