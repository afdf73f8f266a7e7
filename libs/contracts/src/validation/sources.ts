/** Sources of income (each creates a grant). `purchase` counts as recharged, the rest as rewarded. */
export const INCOME_SOURCES = ['purchase', 'reward', 'gift', 'manual', 'compensation'] as const;
export type IncomeSource = (typeof INCOME_SOURCES)[number];

/** Written only by the credit-store's expiry job. */
export const EXPIRE_SOURCE = 'expire';

/** A charge given back (an income that returns the credits to the grants it drew from). */
export const REFUND_SOURCE = 'refund';

/** A purchase taken back when its payment was refunded or charged back (an expense). */
export const ORDER_REFUND_SOURCE = 'order_refund';

/** What remained of a grant, withdrawn by an admin (an expense, written off like an expiry). */
export const VOID_SOURCE = 'void';

/** A charge may name any source (`chat`, `tts`, `video`...) except these, so totals stay unambiguous. */
export const RESERVED_CHARGE_SOURCES: readonly string[] = [
  ...INCOME_SOURCES,
  EXPIRE_SOURCE,
  REFUND_SOURCE,
  ORDER_REFUND_SOURCE,
  VOID_SOURCE,
];
