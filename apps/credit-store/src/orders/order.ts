import type { Product } from '../products/product';

export type OrderStatus = 'pending' | 'paid' | 'credited' | 'cancelled';

export interface Order {
  order_id: string;
  user_id: string;
  product_id: number;
  /** The product as it was when ordered. */
  product: Product;
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
}

/** The ledger event that credits an order: one per order, in the ledger's own namespace. */
export function orderEventId(orderId: string): string {
  return `tally:order:${orderId}`;
}
