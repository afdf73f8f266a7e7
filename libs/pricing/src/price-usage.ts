import type { ChargeUsage } from '@tally/contracts';
import { ceilDiv, fromScaled, toScaled } from './exact-decimal';
import type { PriceField, RulePricing } from './price-rule';

/** Prices have at most 6 decimal places; durations are counted to the millisecond. */
export const PRICE_PLACES = 6;
export const SECOND_PLACES = 3;
export const MAX_SECONDS = 1_000_000_000;

const TOKEN_FIELDS = [
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
] as const;
const SECONDS = /^\d+(\.\d{1,3})?$/;

export interface PricedUsage {
  /** Credits to charge: the exact cost rounded once, up; at least min_credits and 1 unless free. */
  amount: bigint;
  /** The unrounded cost as a decimal string, for audit. */
  exact_cost: string;
}

/**
 * Why a usage cannot be priced as given (empty when it can). The ledger's convention is OpenAI's:
 * input_tokens include cached_tokens (cache reads) and cache_write_tokens, output_tokens include
 * reasoning_tokens, so the parts may not exceed their whole. (Anthropic reports its input without
 * cache reads and writes; the gateway adds them in before pricing.)
 */
export function usageProblems(usage: ChargeUsage): string[] {
  const problems: string[] = [];
  for (const field of TOKEN_FIELDS) {
    const count = usage[field];
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) {
      problems.push(`usage.${field}: must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
    }
  }
  if ((usage.cached_tokens ?? 0) > (usage.input_tokens ?? 0)) {
    problems.push('usage.cached_tokens: must not exceed input_tokens (which include them)');
  } else if (
    (usage.cached_tokens ?? 0) + (usage.cache_write_tokens ?? 0) >
    (usage.input_tokens ?? 0)
  ) {
    problems.push(
      'usage.cache_write_tokens: with cached_tokens, must not exceed input_tokens (which include both)',
    );
  }
  if ((usage.cache_write_1h_tokens ?? 0) > (usage.cache_write_tokens ?? 0)) {
    problems.push(
      'usage.cache_write_1h_tokens: must not exceed cache_write_tokens (which include them)',
    );
  }
  if ((usage.reasoning_tokens ?? 0) > (usage.output_tokens ?? 0)) {
    problems.push('usage.reasoning_tokens: must not exceed output_tokens (which include them)');
  }
  const seconds = usage.seconds;
  if (seconds !== undefined && !(SECONDS.test(String(seconds)) && seconds <= MAX_SECONDS)) {
    problems.push(
      `usage.seconds: must be a number from 0 to ${MAX_SECONDS} with at most ${SECOND_PLACES} decimal places`,
    );
  }
  return problems;
}

/**
 * Prices a usage with one rule version, exactly: the same (version, usage) always gives the same
 * amount, so a charge priced with (rule_id, rule_version) can be re-derived later. The usage must
 * have no usageProblems.
 */
export function priceUsage(rule: RulePricing, usage: ChargeUsage): PricedUsage {
  if (rule.mode === 'free') return { amount: 0n, exact_cost: '0' };
  const problems = usageProblems(usage);
  if (problems.length) throw new RangeError(problems.join('; '));

  const cost = exactCost(rule, usage);
  const rounded = ceilDiv(cost.scaled, 10n ** BigInt(cost.places));
  const floor = BigInt(Math.max(rule.min_credits ?? 0, 1));
  return {
    amount: rounded > floor ? rounded : floor,
    exact_cost: fromScaled(cost.scaled, cost.places),
  };
}

/**
 * A 1-hour cache write when the rule names no price for it: Anthropic's rate, twice the input
 * price (a 5-minute write is 1.25 times), and never less than the rule's 5-minute write.
 */
function hourWritePrice(inputPrice: bigint, writePrice: bigint): bigint {
  const twiceInput = 2n * inputPrice;
  return twiceInput > writePrice ? twiceInput : writePrice;
}

/** The cost × 10^places, an integer. */
function exactCost(rule: RulePricing, usage: ChargeUsage): { scaled: bigint; places: number } {
  const price = (field: PriceField): bigint => {
    const value = rule[field];
    if (value === null) throw new RangeError(`a ${rule.mode} rule needs ${field}`);
    return toScaled(value, PRICE_PLACES);
  };
  const priceOr = (field: PriceField, fallback: bigint) =>
    rule[field] === null ? fallback : price(field);
  switch (rule.mode) {
    case 'free':
      return { scaled: 0n, places: 0 };
    case 'tokens': {
      const tokens = (n: number | undefined) => BigInt(n ?? 0);
      const input = tokens(usage.input_tokens);
      const cached = tokens(usage.cached_tokens);
      const cacheWrites = tokens(usage.cache_write_tokens);
      const hourWrites = tokens(usage.cache_write_1h_tokens);
      const output = tokens(usage.output_tokens);
      const reasoning = tokens(usage.reasoning_tokens);
      const inputPrice = price('input_per_million');
      const outputPrice = price('output_per_million');
      const writePrice = priceOr('cache_write_per_million', inputPrice);
      const perMillion =
        (input - cached - cacheWrites) * inputPrice +
        cached * priceOr('cached_per_million', inputPrice) +
        (cacheWrites - hourWrites) * writePrice +
        hourWrites * priceOr('cache_write_1h_per_million', hourWritePrice(inputPrice, writePrice)) +
        (output - reasoning) * outputPrice +
        reasoning * priceOr('reasoning_per_million', outputPrice);
      // Prices are scaled by 10^6 and are per 10^6 tokens: the sum is the cost × 10^12.
      return { scaled: perMillion, places: PRICE_PLACES + 6 };
    }
    case 'fixed':
      return { scaled: price('credits_per_call'), places: PRICE_PLACES };
    case 'duration': {
      const millis = toScaled(String(usage.seconds ?? 0), SECOND_PLACES);
      return { scaled: millis * price('credits_per_second'), places: PRICE_PLACES + SECOND_PLACES };
    }
  }
}
