import type { PriceRuleVersion } from '@tally/pricing';

/** One version of a rule, as stored (append-only) and answered. */
export interface PriceRule extends PriceRuleVersion {
  created_at: Date;
}
