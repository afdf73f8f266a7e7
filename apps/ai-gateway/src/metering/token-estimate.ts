/**
 * A token count without the model's tokenizer: one token per 4 bytes of UTF-8. About right for
 * English (≈4 characters a token) and on the high side for most other scripts (a CJK character
 * is 3 bytes and about 1 token). Used for the guard's estimates, and for charges only when the
 * upstream reports no usage (the charge then says `usage_source: "estimated"`).
 */
export function estimateTokens(text: string): number {
  return tokensForBytes(Buffer.byteLength(text, 'utf8'));
}

export function tokensForBytes(bytes: number): number {
  return Math.ceil(bytes / 4);
}

/**
 * The densest text real tokenizers produce in bulk (markdown tables, long words) runs about 8
 * bytes a token: an upstream's count of output below `bytes / 8` cannot be the output passed on.
 */
const DENSEST_BYTES_PER_TOKEN = 8;

/** The fewest tokens `bytes` of output can plausibly be (an upstream's usage below it is not). */
export function fewestTokensForBytes(bytes: number): number {
  return Math.floor(bytes / DENSEST_BYTES_PER_TOKEN);
}
