import { MAX_AMOUNT, type ChargeUsage } from '@tally/contracts';
import type { RulePricing } from './price-rule';
import { priceUsage, usageProblems } from './price-usage';

export type ChargePrice =
  { ok: true; amount: number; exact_cost: string } | { ok: false; problems: string[] };

/**
 * What one charge of this usage costs with the rule, or why it cannot be charged: a usage that
 * cannot be priced as given, or more credits than one charge may carry (MAX_AMOUNT). The gateway
 * and the credit-store both price through here, so they refuse the same usages the same way.
 */
export function priceCharge(rule: RulePricing, usage: ChargeUsage): ChargePrice {
  const problems = usageProblems(usage);
  if (problems.length) return { ok: false, problems };
  const { amount, exact_cost } = priceUsage(rule, usage);
  if (amount > BigInt(MAX_AMOUNT)) {
    return {
      ok: false,
      problems: [`usage: costs ${amount} credits, more than one charge may carry (${MAX_AMOUNT})`],
    };
  }
  return { ok: true, amount: Number(amount), exact_cost };
}
