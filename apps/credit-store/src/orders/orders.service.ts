import { Injectable } from '@nestjs/common';
import { ErrorCode, MAX_AMOUNT, ORDER_REFUND_SOURCE } from '@tally/contracts';
import { DomainError, uuidv7, withTransactionRetry } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { BalanceSnapshotRelay } from '../outbox/balance-snapshot.relay';
import { GrantsService } from '../grants/grants.service';
import { LedgerService } from '../ledger/ledger.service';
import { ProductsService } from '../products/products.service';
import type { CreateOrderDto } from './dto/order.dto';
import { Order, orderEventId, orderRefundEventId } from './order';
import type { Product } from '../products/product';
import { NewOrder, OrderRepository } from './order.repository';

/**
 * Orders: pending → paid → credited, or pending → cancelled. The payment callback may come any
 * number of times, at once too: the order row lock queues them, and the credit is one ledger
 * event per order (`tally:order:<id>`), so the account is credited exactly once.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly products: ProductsService,
    private readonly grants: GrantsService,
    private readonly snapshotRelay: BalanceSnapshotRelay,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * A pending order. Under an idempotency key, the user's order already made with that key is
   * answered again (a retry), whatever became of it since; the key with another product or
   * quantity is a 409. Two requests racing with one key make one order.
   */
  async create(request: CreateOrderDto, idempotencyKey?: string): Promise<Order> {
    const db = this.dataSource.manager;
    if (idempotencyKey) {
      const earlier = await this.orders.findByIdempotencyKey(db, request.user_id, idempotencyKey);
      if (earlier) return sameRequest(earlier, request, idempotencyKey);
    }
    const product = await this.products.get(request.product_id);
    const order = newOrder(request.user_id, product, request.quantity, {
      idempotency_key: idempotencyKey ?? null,
      auto_topup: false,
    });
    // In a transaction, so that its audit record commits with it (never one without the other).
    const created = await this.dataSource.transaction((tx) => this.orders.insert(tx, order));
    if (created) return created;
    // Another request with the same key got there between the lookup and the insert.
    const winner = await this.orders.findByIdempotencyKey(db, request.user_id, idempotencyKey!);
    return sameRequest(winner!, request, idempotencyKey!);
  }

  /**
   * An auto top-up's order: one of the product, made in the caller's transaction (the ledger
   * change that crossed the threshold); undefined when the user already has an open one. The
   * product must be on sale (the caller checks: a throw here would refuse the ledger change).
   */
  createAutoTopup(db: EntityManager, userId: string, product: Product): Promise<Order | undefined> {
    return this.orders.insert(
      db,
      newOrder(userId, product, 1, { idempotency_key: null, auto_topup: true }),
    );
  }

  /** The user's open auto top-up order (its id, or null), and how many were paid since `since`. */
  autoTopupState(db: EntityManager, userId: string, since: Date) {
    return this.orders.autoTopupState(db, userId, since);
  }

  async get(orderId: string, db: EntityManager = this.dataSource.manager): Promise<Order> {
    const order = await this.orders.find(db, orderId);
    if (!order) throw new DomainError(ErrorCode.NotFound, `order ${orderId} does not exist`);
    return order;
  }

  /**
   * The payment callback. Two steps, so a crash between them leaves a `paid` order that the
   * next callback finishes. The first payment_ref stands: a callback for an order already paid
   * (with any payment_ref, or none) answers the order as it is, because the provider retrying
   * is far likelier than a second real payment, and finance needs the reference that was credited.
   */
  async markPaid(orderId: string, paymentRef: string | null): Promise<Order> {
    const paid = await this.inTransaction(async (db) => {
      const order = await this.lock(db, orderId);
      if (order.status === 'cancelled') {
        throw new DomainError(ErrorCode.OrderNotPayable, `order ${orderId} was cancelled`);
      }
      if (order.status !== 'pending') return order;
      return this.orders.transition(db, orderId, 'paid', { payment_ref: paymentRef });
    });
    if (paid.status === 'credited') return paid;
    const credited = await this.inTransaction(async (db) => {
      const order = await this.lock(db, orderId);
      if (order.status === 'credited') return order;
      const entry = await this.grants.creditWithin(db, {
        event_id: orderEventId(orderId),
        user_id: order.user_id,
        source: 'purchase',
        amount: BigInt(order.credit_amount),
        value: { cent: BigInt(order.amount_cent), currency: order.currency },
        order_id: orderId,
        source_ref_id: order.payment_ref,
        description: `order ${orderId}: ${order.quantity} × ${order.product.sku}`,
      });
      return this.orders.transition(db, orderId, 'credited', { ledger_event_id: entry.event_id });
    });
    this.snapshotRelay.wake();
    return credited;
  }

  /**
   * The payment was refunded or charged back: the order's credits are taken back by one expense
   * (`tally:order-refund:<id>`), first from what is left of its own grant, then from the rest of
   * the balance, into overdraft (and so blocked) if the user already spent them. Once per order.
   */
  async refund(orderId: string, paymentRef: string | null, reason: string | null): Promise<Order> {
    const refunded = await this.inTransaction(async (db) => {
      const order = await this.lock(db, orderId);
      if (order.status === 'refunded') return order;
      if (order.status !== 'credited') {
        throw new DomainError(
          ErrorCode.OrderNotRefundable,
          `order ${orderId} is ${order.status}: only a credited order can be refunded`,
        );
      }
      const event_id = orderRefundEventId(orderId);
      const [outcome] = await this.ledger.applyWithin(db, [
        {
          event_id,
          user_id: order.user_id,
          source: ORDER_REFUND_SOURCE,
          direction: 'expense',
          amount: BigInt(order.credit_amount),
          order_id: orderId,
          draw_first: order.ledger_event_id ?? undefined,
          source_ref_id: paymentRef ?? order.payment_ref,
          description: reason ?? `refund of order ${orderId}`,
        },
      ]);
      if (outcome.kind !== 'applied' && outcome.kind !== 'duplicate') {
        throw new Error(`order refund ${event_id} was ${outcome.kind}`);
      }
      return this.orders.markRefunded(db, orderId, { event_id, payment_ref: paymentRef, reason });
    });
    this.snapshotRelay.wake();
    return refunded;
  }

  /** Only a pending order can be cancelled; cancelling again answers the same. */
  cancel(orderId: string): Promise<Order> {
    return this.inTransaction(async (db) => {
      const order = await this.lock(db, orderId);
      if (order.status === 'cancelled') return order;
      if (order.status !== 'pending') {
        throw new DomainError(
          ErrorCode.OrderNotPayable,
          `order ${orderId} is ${order.status} and cannot be cancelled`,
        );
      }
      return this.orders.transition(db, orderId, 'cancelled');
    });
  }

  private async lock(db: EntityManager, orderId: string): Promise<Order> {
    const order = await this.orders.find(db, orderId, true);
    if (!order) throw new DomainError(ErrorCode.NotFound, `order ${orderId} does not exist`);
    return order;
  }

  private inTransaction<T>(run: (db: EntityManager) => Promise<T>): Promise<T> {
    return withTransactionRetry(() => this.dataSource.transaction('READ COMMITTED', run));
  }
}

/** A pending order of `quantity` × the product, if it is on sale and not too large. */
function newOrder(
  userId: string,
  product: Product,
  quantity: number,
  kind: Pick<NewOrder, 'idempotency_key' | 'auto_topup'>,
): NewOrder {
  if (product.status !== 'active') {
    throw new DomainError(ErrorCode.OrderNotPayable, `product ${product.id} is not on sale`);
  }
  const credits = product.credit_amount * quantity;
  if (credits > MAX_AMOUNT) {
    throw new DomainError(ErrorCode.ValidationFailed, `quantity: ${credits} credits is too many`, [
      'quantity: too large for this product',
    ]);
  }
  return {
    order_id: uuidv7(),
    user_id: userId,
    product_id: product.id,
    product,
    quantity,
    credit_amount: credits,
    amount_cent: product.price_cent * quantity,
    currency: product.currency,
    ...kind,
  };
}

/** The order made earlier under this key, if it was asked for the same thing. */
function sameRequest(order: Order, request: CreateOrderDto, key: string): Order {
  if (order.product_id !== request.product_id || order.quantity !== request.quantity) {
    throw new DomainError(
      ErrorCode.AlreadyExists,
      `idempotency key ${key} was used for order ${order.order_id} with another product or quantity`,
    );
  }
  return order;
}
