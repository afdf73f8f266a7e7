import type { Product } from '../products/product';

export type OrderStatus = 'pending' | 'paid' | 'credited' | 'cancelled' | 'refunded';

/** A product as stored in an order (jsonb): its timestamps come back as ISO strings. */
export type ProductSnapshot = Omit<Product, 'created_at' | 'updated_at'> & {
  created_at: string;
  updated_at: string;
};

export interface Order {
  order_id: string;
  user_id: string;
  product_id: number;
  /** The product as it was when ordered. */
  product: ProductSnapshot;
  quantity: number;
  credit_amount: number;
  amount_cent: number;
  currency: string;
  status: OrderStatus;
  payment_ref: string | null;
  ledger_event_id: string | null;
  created_at: Date;
  paid_at: Date | null;
  credited_at: Date | null;
  cancelled_at: Date | null;
  refunded_at: Date | null;
  refund_payment_ref: string | null;
  refund_reason: string | null;
  /** The entry that took the order's credits back. */
  refund_event_id: string | null;
  /** Made by the account's auto top-up, not by a client. */
  auto_topup: boolean;
}

/** The ledger event that credits an order: one per order, in the ledger's own namespace. */
export function orderEventId(orderId: string): string {
  return `tally:order:${orderId}`;
}

/** The ledger event that takes an order's credits back when its payment is refunded: one per order. */
export function orderRefundEventId(orderId: string): string {
  return `tally:order-refund:${orderId}`;
}
