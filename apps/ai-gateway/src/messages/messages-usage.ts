import type { ChargeUsage } from '@tally/contracts';

const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/** Anthropic's usage fields as reported (a stream reports them in two events). */
export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

const FIELDS = [
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
] as const;

/**
 * `usage` merged into what was reported before: message_start reports the input and the cache,
 * message_delta the running (cumulative) output, and may repeat the others.
 */
export function mergeUsage(
  before: AnthropicUsage | undefined,
  usage: unknown,
): AnthropicUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return before;
  const merged: AnthropicUsage = { ...before };
  for (const field of FIELDS) {
    const value = count((usage as Record<string, unknown>)[field]);
    if (value !== undefined) merged[field] = value;
  }
  return merged;
}

/**
 * The usage in the ledger's convention (OpenAI's): Anthropic's input_tokens exclude the cache
 * reads and writes, the ledger's input_tokens include both, as cached_tokens and
 * cache_write_tokens, so each token is priced exactly once. Undefined without input and output.
 */
export function ledgerUsage(usage: AnthropicUsage | undefined): ChargeUsage | undefined {
  if (usage?.input_tokens === undefined || usage.output_tokens === undefined) return undefined;
  const reads = usage.cache_read_input_tokens ?? 0;
  const writes = usage.cache_creation_input_tokens ?? 0;
  return {
    input_tokens: usage.input_tokens + reads + writes,
    output_tokens: usage.output_tokens,
    ...(reads ? { cached_tokens: reads } : {}),
    ...(writes ? { cache_write_tokens: writes } : {}),
  };
}

/** The text a content block or a delta carries: text, thinking, tool input (JSON), tool name. */
export function producedText(part: unknown): string {
  if (typeof part !== 'object' || part === null) return '';
  const p = part as Record<string, unknown>;
  const input = p.input !== undefined && p.type !== 'text' ? JSON.stringify(p.input) : undefined;
  return [p.text, p.thinking, p.partial_json, p.name, input]
    .filter((s): s is string => typeof s === 'string')
    .join('');
}

/** The text of a whole message's content blocks. */
export function messageText(message: unknown): string {
  const content = (message as { content?: unknown } | null)?.content;
  return Array.isArray(content) ? content.map(producedText).join('') : '';
}
