import type { AnthropicUsage } from '../messages/messages-usage';

const count = (value: unknown): number =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : 0;

/**
 * Anthropic's usage in OpenAI's terms: prompt_tokens count every input token, the cache reads
 * (`cached_tokens`) and writes (`cache_write_tokens`, which OpenAI has no field for) included.
 */
export function openAiUsageOf(usage: AnthropicUsage | undefined) {
  const reads = usage?.cache_read_input_tokens ?? 0;
  const writes = usage?.cache_creation_input_tokens ?? 0;
  const prompt = (usage?.input_tokens ?? 0) + reads + writes;
  const completion = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: reads, cache_write_tokens: writes },
  };
}

/**
 * OpenAI's usage in Anthropic's terms: input_tokens exclude the cache reads, which are
 * `cache_read_input_tokens` (OpenAI writes its cache for free: no cache writes).
 */
export function anthropicUsageOf(usage: unknown) {
  const u = (usage ?? {}) as Record<string, unknown>;
  const prompt = count(u.prompt_tokens);
  const details = (u.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const reads = Math.min(count(details.cached_tokens), prompt);
  return {
    input_tokens: prompt - reads,
    output_tokens: count(u.completion_tokens),
    cache_read_input_tokens: reads,
    cache_creation_input_tokens: 0,
  };
}
