import type { ChargeUsage } from '@tally/contracts';

const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/**
 * The usage an OpenAI answer reports (`usage`, in the last chunk of a stream), in the ledger's
 * terms; undefined when there is none or it is not one.
 */
export function reportedUsage(usage: unknown): ChargeUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Record<string, unknown>;
  const input = count(u.prompt_tokens);
  const output = count(u.completion_tokens);
  if (input === undefined || output === undefined) return undefined;
  const cached = count(
    (u.prompt_tokens_details as Record<string, unknown> | undefined)?.cached_tokens,
  );
  const reasoning = count(
    (u.completion_tokens_details as Record<string, unknown> | undefined)?.reasoning_tokens,
  );
  return {
    input_tokens: input,
    output_tokens: output,
    ...(cached ? { cached_tokens: Math.min(cached, input) } : {}),
    ...(reasoning ? { reasoning_tokens: Math.min(reasoning, output) } : {}),
  };
}

/**
 * The text a completion (or a stream chunk) produced, in every choice: content, refusals, tool
 * calls and the reasoning some upstreams show (`reasoning_content`, `reasoning`).
 */
export function producedText(completionOrChunk: unknown): string {
  const choices = (completionOrChunk as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return '';
  return choices
    .map((choice: Record<string, unknown>) => {
      const part = (choice?.delta ?? choice?.message ?? {}) as Record<string, unknown>;
      const calls = Array.isArray(part.tool_calls) ? part.tool_calls : [];
      return [
        part.content,
        part.refusal,
        part.reasoning_content,
        part.reasoning,
        ...calls.map((c: { function?: { name?: unknown; arguments?: unknown } }) =>
          [c?.function?.name, c?.function?.arguments].filter((s) => typeof s === 'string').join(''),
        ),
      ]
        .filter((s): s is string => typeof s === 'string')
        .join('');
    })
    .join('');
}
