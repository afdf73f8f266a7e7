import type { PricingMode } from '@tally/contracts';

export const RULE_STATUSES = ['active', 'inactive', 'deleted'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

export const PRICE_FIELDS = [
  'input_per_million',
  'output_per_million',
  'cached_per_million',
  'cache_write_per_million',
  'cache_write_1h_per_million',
  'reasoning_per_million',
  'credits_per_call',
  'credits_per_second',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** How one rule version prices: decimal prices as exact strings (numeric in Postgres), never floats. */
export interface RulePricing extends Record<PriceField, string | null> {
  mode: PricingMode;
  min_credits: number | null;
}

/** Everything a version holds: what it matches and how it prices. */
export interface PriceRuleFields extends RulePricing {
  scene: string;
  provider: string | null;
  model: string | null;
  priority: number;
  status: RuleStatus;
}

/** The columns of a version besides its identity, in storage order. */
export const PRICE_RULE_FIELDS = [
  'scene',
  'provider',
  'model',
  'mode',
  'priority',
  ...PRICE_FIELDS,
  'min_credits',
  'status',
] as const satisfies readonly (keyof PriceRuleFields)[];

/** One version of a rule: what the credit-store answers and the gateway prices with. */
export interface PriceRuleVersion extends PriceRuleFields {
  id: number;
  version: number;
}
