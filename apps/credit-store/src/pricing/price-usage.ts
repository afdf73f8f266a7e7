import type { ChargeUsage } from '@tally/contracts';
import type { PriceRule } from './price-rule';

const MICRO = 1_000_000n;
const MILLION = 1_000_000n;

/** A decimal string (≤ 6 places) as an integer count of millionths, exactly. */
export function toMicro(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole) * MICRO + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

function ceilDiv(n: bigint, d: bigint): bigint {
  return n <= 0n ? 0n : (n + d - 1n) / d;
}

/** An exact fraction n / d as a decimal string (d a power of ten). */
function decimal(n: bigint, d: bigint): string {
  const places = d.toString().length - 1;
  const text = n.toString().padStart(places + 1, '0');
  const fraction = text.slice(text.length - places).replace(/0+$/, '');
  return fraction
    ? `${text.slice(0, text.length - places)}.${fraction}`
    : text.slice(0, text.length - places);
}

export interface Price {
  /** Credits to charge: rounded once, up; at least min_credits and 1 unless free. */
  amount: number;
  /** The unrounded cost, for audit. */
  exact_cost: string;
}

/**
 * Prices a usage with one rule version. input_tokens include cached_tokens and output_tokens
 * include reasoning_tokens (OpenAI's convention); cached and reasoning tokens fall back to the
 * input and output prices when the rule has none of their own.
 */
export function priceUsage(rule: PriceRule, usage: ChargeUsage): Price {
  let numerator: bigint;
  let denominator: bigint;
  switch (rule.mode) {
    case 'free':
      return { amount: 0, exact_cost: '0' };
    case 'tokens': {
      const input = toMicro(rule.input_per_million ?? '0');
      const output = toMicro(rule.output_per_million ?? '0');
      const cached = rule.cached_per_million === null ? input : toMicro(rule.cached_per_million);
      const reasoning =
        rule.reasoning_per_million === null ? output : toMicro(rule.reasoning_per_million);
      const t = (n?: number) => BigInt(n ?? 0);
      numerator =
        (t(usage.input_tokens) - t(usage.cached_tokens)) * input +
        t(usage.cached_tokens) * cached +
        (t(usage.output_tokens) - t(usage.reasoning_tokens)) * output +
        t(usage.reasoning_tokens) * reasoning;
      denominator = MICRO * MILLION;
      break;
    }
    case 'fixed':
      numerator = toMicro(rule.credits_per_call ?? '0');
      denominator = MICRO;
      break;
    case 'duration': {
      const millis = BigInt(Math.round((usage.seconds ?? 0) * 1000));
      numerator = millis * toMicro(rule.credits_per_second ?? '0');
      denominator = MICRO * 1000n;
      break;
    }
  }
  const floor = BigInt(Math.max(rule.min_credits ?? 0, 1));
  const rounded = ceilDiv(numerator, denominator);
  return {
    amount: Number(rounded > floor ? rounded : floor),
    exact_cost: decimal(numerator, denominator),
  };
}

/** Why a usage cannot be priced as given, or undefined. */
export function usageProblem(usage: ChargeUsage): string | undefined {
  if ((usage.cached_tokens ?? 0) > (usage.input_tokens ?? 0)) {
    return 'usage.cached_tokens: must not exceed input_tokens (which include them)';
  }
  if ((usage.reasoning_tokens ?? 0) > (usage.output_tokens ?? 0)) {
    return 'usage.reasoning_tokens: must not exceed output_tokens (which include them)';
  }
  return undefined;
}

/**
 * The rule that prices (scene, provider, model): among active rules whose provider and model are
 * null (any) or equal, the highest priority, then the most specific (model beats provider beats
 * neither), then the oldest.
 */
export function matchRule(
  rules: readonly PriceRule[],
  target: { scene: string; provider?: string; model?: string },
): PriceRule | undefined {
  const specificity = (r: PriceRule) => (r.model !== null ? 2 : 0) + (r.provider !== null ? 1 : 0);
  return rules
    .filter(
      (r) =>
        r.status === 'active' &&
        r.scene === target.scene &&
        (r.provider === null || r.provider === target.provider) &&
        (r.model === null || r.model === target.model),
    )
    .sort((a, b) => b.priority - a.priority || specificity(b) - specificity(a) || a.id - b.id)[0];
}
