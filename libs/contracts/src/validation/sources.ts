/** Sources of income (each creates a grant). `purchase` counts as recharged, the rest as rewarded. */
export const INCOME_SOURCES = ['purchase', 'reward', 'gift', 'manual', 'compensation'] as const;
export type IncomeSource = (typeof INCOME_SOURCES)[number];

/** Written only by the credit-store's expiry job. */
export const EXPIRE_SOURCE = 'expire';

/** A charge may name any source (`chat`, `tts`, `video`...) except these, so totals stay unambiguous. */
export const RESERVED_CHARGE_SOURCES: readonly string[] = [...INCOME_SOURCES, EXPIRE_SOURCE];
