export const PRODUCT_STATUSES = ['active', 'inactive'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export interface Product {
  id: number;
  sku: string;
  name: string;
  credit_amount: number;
  price_cent: number;
  original_price_cent: number | null;
  currency: string;
  badge: string | null;
  status: ProductStatus;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
}
