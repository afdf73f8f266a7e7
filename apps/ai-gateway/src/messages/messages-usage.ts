import type { ChargeUsage } from '@tally/contracts';

const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/** Anthropic's usage fields as reported (a stream reports them in two events). */
export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  /** All cache writes, 5-minute and 1-hour. */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** The cache writes by lifetime (`cache_creation.ephemeral_5m_input_tokens`, `_1h_`). */
  cache_creation_5m_input_tokens?: number;
  cache_creation_1h_input_tokens?: number;
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
  const byLifetime = (usage as { cache_creation?: unknown }).cache_creation;
  if (typeof byLifetime === 'object' && byLifetime !== null) {
    const { ephemeral_5m_input_tokens: minutes, ephemeral_1h_input_tokens: hour } =
      byLifetime as Record<string, unknown>;
    if (count(minutes) !== undefined) merged.cache_creation_5m_input_tokens = count(minutes);
    if (count(hour) !== undefined) merged.cache_creation_1h_input_tokens = count(hour);
  }
  return merged;
}

/**
 * The usage in the ledger's convention (OpenAI's): Anthropic's input_tokens exclude the cache
 * reads and writes, the ledger's input_tokens include both, as cached_tokens and
 * cache_write_tokens (of which cache_write_1h_tokens), so each token is priced exactly once.
 * Undefined without input and output.
 */
export function ledgerUsage(usage: AnthropicUsage | undefined): ChargeUsage | undefined {
  if (usage?.input_tokens === undefined || usage.output_tokens === undefined) return undefined;
  const reads = usage.cache_read_input_tokens ?? 0;
  const hourWrites = usage.cache_creation_1h_input_tokens ?? 0;
  // The total includes the writes by lifetime; never count fewer writes than those.
  const writes = Math.max(
    usage.cache_creation_input_tokens ?? 0,
    (usage.cache_creation_5m_input_tokens ?? 0) + hourWrites,
  );
  return {
    input_tokens: usage.input_tokens + reads + writes,
    output_tokens: usage.output_tokens,
    ...(reads ? { cached_tokens: reads } : {}),
    ...(writes ? { cache_write_tokens: writes } : {}),
    ...(hourWrites ? { cache_write_1h_tokens: hourWrites } : {}),
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
