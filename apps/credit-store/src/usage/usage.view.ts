import { jsonAmount } from '@tally/contracts';
import type { UsageSumsRow } from './usage.repository';

/** Counts and credits as exact JSON numbers; seconds may be fractional. */
export function usageSums(row: UsageSumsRow) {
  return {
    calls: jsonAmount(BigInt(row.calls)),
    credits: jsonAmount(BigInt(row.credits)),
    input_tokens: jsonAmount(BigInt(row.input_tokens)),
    cached_tokens: jsonAmount(BigInt(row.cached_tokens)),
    cache_write_tokens: jsonAmount(BigInt(row.cache_write_tokens)),
    reasoning_tokens: jsonAmount(BigInt(row.reasoning_tokens)),
    output_tokens: jsonAmount(BigInt(row.output_tokens)),
    seconds: Number(row.seconds),
  };
}
