import type { ChargeUsage } from '@tally/contracts';

/** `usage.prompt_tokens` of an embeddings answer, as input tokens; undefined when not reported. */
export function reportedEmbeddingUsage(usage: unknown): ChargeUsage | undefined {
  const prompt = (usage as { prompt_tokens?: unknown } | null)?.prompt_tokens;
  return Number.isSafeInteger(prompt) && (prompt as number) >= 0
    ? { input_tokens: prompt as number, output_tokens: 0 }
    : undefined;
}
