import type { PricingMode } from '@tally/contracts';

export const RULE_STATUSES = ['active', 'inactive', 'deleted'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

/** Decimal prices as exact strings (numeric in Postgres), never floats. */
export interface Prices {
  input_per_million: string | null;
  output_per_million: string | null;
  cached_per_million: string | null;
  reasoning_per_million: string | null;
  credits_per_call: string | null;
  credits_per_second: string | null;
  min_credits: number | null;
}

/** One version of a rule: what it matches and how it prices. */
export interface PriceRule extends Prices {
  id: number;
  version: number;
  scene: string;
  provider: string | null;
  model: string | null;
  mode: PricingMode;
  priority: number;
  status: RuleStatus;
  created_at: Date;
}
