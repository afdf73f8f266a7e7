import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Product } from '../products/product';
import type { Order, OrderStatus } from './order';

const COLUMNS = `order_id, user_id, product_id::int AS product_id, product, quantity,
                 credit_amount::float8 AS credit_amount, amount_cent::float8 AS amount_cent, currency,
                 status, payment_ref, ledger_event_id, created_at, paid_at, credited_at, cancelled_at,
                 refunded_at, refund_payment_ref, refund_reason, refund_event_id, auto_topup`;

export type NewOrder = Pick<
  Order,
  'order_id' | 'user_id' | 'product_id' | 'quantity' | 'credit_amount' | 'amount_cent' | 'currency'
> & { product: Product; idempotency_key: string | null; auto_topup: boolean };

@Injectable()
export class OrderRepository {
  /**
   * The new order, or undefined when the user already has an order under its idempotency key or,
   * for an auto top-up, an open auto top-up order (orders_one_open_auto_topup).
   */
  async insert(db: EntityManager, order: NewOrder): Promise<Order | undefined> {
    const conflict = order.auto_topup
      ? `(user_id) WHERE auto_topup AND status IN ('pending', 'paid')`
      : `(user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`;
    const rows: Order[] = await db.query(
      `INSERT INTO orders (order_id, user_id, product_id, product, quantity, credit_amount,
                           amount_cent, currency, status, idempotency_key, auto_topup)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10)
       ON CONFLICT ${conflict} DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        order.order_id,
        order.user_id,
        order.product_id,
        JSON.stringify(order.product),
        order.quantity,
        order.credit_amount,
        order.amount_cent,
        order.currency,
        order.idempotency_key,
        order.auto_topup,
      ],
    );
    return rows[0];
  }

  /** The user's open auto top-up order's id (at most one), and how many were paid since `since`. */
  async autoTopupState(
    db: EntityManager,
    userId: string,
    since: Date,
  ): Promise<{ open: string | null; paid: number }> {
    const [row]: { open: string | null; paid: number }[] = await db.query(
      `SELECT max(order_id) FILTER (WHERE status IN ('pending', 'paid')) AS open,
              count(*) FILTER (WHERE paid_at >= $2)::int AS paid
         FROM orders
        WHERE user_id = $1 AND auto_topup AND (status IN ('pending', 'paid') OR paid_at >= $2)`,
      [userId, since],
    );
    return row;
  }

  async findByIdempotencyKey(
    db: EntityManager,
    userId: string,
    key: string,
  ): Promise<Order | undefined> {
    const rows: Order[] = await db.query(
      `SELECT ${COLUMNS} FROM orders WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    return rows[0];
  }

  async find(db: EntityManager, orderId: string, lock = false): Promise<Order | undefined> {
    const rows: Order[] = await db.query(
      `SELECT ${COLUMNS} FROM orders WHERE order_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [orderId],
    );
    return rows[0];
  }

  /** A credited order whose credits were taken back by `refundEventId`. */
  async markRefunded(
    db: EntityManager,
    orderId: string,
    refund: { event_id: string; payment_ref: string | null; reason: string | null },
  ): Promise<Order> {
    const rows: Order[] = await db.query(
      `WITH changed AS (
         UPDATE orders SET status = 'refunded', refunded_at = now(), refund_event_id = $2,
                refund_payment_ref = $3, refund_reason = $4
          WHERE order_id = $1 RETURNING *)
       SELECT ${COLUMNS} FROM changed`,
      [orderId, refund.event_id, refund.payment_ref, refund.reason],
    );
    return rows[0];
  }

  /** Moves an order to `status`, stamping the matching *_at column. */
  async transition(
    db: EntityManager,
    orderId: string,
    status: Exclude<OrderStatus, 'pending' | 'refunded'>,
    fields: { payment_ref?: string | null; ledger_event_id?: string } = {},
  ): Promise<Order> {
    const rows: Order[] = await db.query(
      `WITH changed AS (
         UPDATE orders SET status = $2,
                payment_ref = COALESCE(payment_ref, $3),
                ledger_event_id = COALESCE(ledger_event_id, $4),
                paid_at = CASE WHEN $2 = 'paid' THEN now() ELSE paid_at END,
                credited_at = CASE WHEN $2 = 'credited' THEN now() ELSE credited_at END,
                cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE cancelled_at END
          WHERE order_id = $1 RETURNING *)
       SELECT ${COLUMNS} FROM changed`,
      [orderId, status, fields.payment_ref ?? null, fields.ledger_event_id ?? null],
    );
    return rows[0];
  }
}
