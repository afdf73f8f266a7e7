import { ErrorCode, PricingMode } from '@tally/contracts';
import {
  canonicalDecimal,
  PRICE_FIELDS,
  PRICE_PLACES,
  PRICE_RULE_FIELDS,
  PriceField,
  PriceRuleFields,
} from '@tally/pricing';
import { DomainError } from '@tally/platform';

/** A create or an edit: fields left out keep their value; null clears a field that may be empty. */
export type PriceRuleChange = { [K in keyof PriceRuleFields]?: PriceRuleFields[K] | null };

const NOT_NULL = ['scene', 'mode', 'priority', 'status'] as const;

/** The prices each mode reads; the first ones listed up to `required` must be set. */
const MODE_PRICES: Record<PricingMode, { uses: PriceField[]; required: number }> = {
  tokens: {
    uses: [
      'input_per_million',
      'output_per_million',
      'cached_per_million',
      'cache_write_per_million',
      'cache_write_1h_per_million',
      'reasoning_per_million',
    ],
    required: 2,
  },
  fixed: { uses: ['credits_per_call'], required: 1 },
  duration: { uses: ['credits_per_second'], required: 1 },
  free: { uses: [], required: 0 },
};

const DEFAULTS: Omit<PriceRuleFields, 'scene' | 'mode'> = {
  provider: null,
  model: null,
  priority: 0,
  status: 'active',
  input_per_million: null,
  output_per_million: null,
  cached_per_million: null,
  cache_write_per_million: null,
  cache_write_1h_per_million: null,
  reasoning_per_million: null,
  credits_per_call: null,
  credits_per_second: null,
  min_credits: null,
};

/**
 * The fields of the next version of a rule (or of its first one, without `base`). A price the
 * mode does not read is refused when given and dropped when carried over from a version of
 * another mode, so every version says exactly how it prices.
 */
export function nextVersionFields(
  change: PriceRuleChange,
  base?: PriceRuleFields,
): PriceRuleFields {
  const given = pick(change, (value) => value !== undefined) as Partial<PriceRuleFields>;
  const fields = { ...DEFAULTS, ...(base && pick(base)), ...given } as PriceRuleFields;
  const unset = NOT_NULL.filter((f) => fields[f] == null);
  if (unset.length) {
    throw invalid(unset.map((f) => `${f}: ${f in given ? 'must not be null' : 'is required'}`));
  }
  const problems: string[] = [];

  const { uses, required } = MODE_PRICES[fields.mode];
  for (const field of PRICE_FIELDS) {
    const value = fields[field];
    if (value === null) continue;
    if (!uses.includes(field)) {
      if (given[field] != null) problems.push(`${field}: is not used by mode ${fields.mode}`);
      fields[field] = null;
    } else {
      fields[field] = canonicalDecimal(value, PRICE_PLACES);
    }
  }
  if (fields.mode === 'free' && fields.min_credits !== null) {
    if (given.min_credits != null) problems.push('min_credits: is not used by mode free');
    fields.min_credits = null;
  }
  for (const field of uses.slice(0, required)) {
    if (fields[field] === null) problems.push(`${field}: is required for mode ${fields.mode}`);
  }
  if (problems.length) throw invalid(problems);
  return fields;
}

/** Whether two versions would price and match alike (an edit that changes nothing adds none). */
export function sameFields(a: PriceRuleFields, b: PriceRuleFields): boolean {
  return PRICE_RULE_FIELDS.every((key) => a[key] === b[key]);
}

function pick(
  from: PriceRuleChange,
  keep: (value: unknown) => boolean = () => true,
): PriceRuleChange {
  return Object.fromEntries(
    PRICE_RULE_FIELDS.filter((key) => keep(from[key])).map((key) => [key, from[key]]),
  );
}

function invalid(problems: string[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, problems.join('; '), problems);
}
