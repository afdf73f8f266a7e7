import type { ChargeUsage } from '@tally/contracts';

const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/**
 * The usage a Responses API answer reports (`usage` of the response, in `response.completed`
 * for a stream), in the ledger's terms, which are OpenAI's: input includes the cached tokens and
 * output the reasoning ones. Undefined when there is none or it is not one.
 */
export function reportedResponseUsage(usage: unknown): ChargeUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Record<string, unknown>;
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  if (input === undefined || output === undefined) return undefined;
  const cached = count(
    (u.input_tokens_details as Record<string, unknown> | undefined)?.cached_tokens,
  );
  const reasoning = count(
    (u.output_tokens_details as Record<string, unknown> | undefined)?.reasoning_tokens,
  );
  return {
    input_tokens: input,
    output_tokens: output,
    ...(cached ? { cached_tokens: Math.min(cached, input) } : {}),
    ...(reasoning ? { reasoning_tokens: Math.min(reasoning, output) } : {}),
  };
}

const texts = (values: unknown[]) => values.filter((v): v is string => typeof v === 'string');

/**
 * The text a response's output items hold: messages (text and refusals), function and custom
 * tool calls, and the reasoning summaries or text it shows.
 */
export function producedResponseText(response: unknown): string {
  const output = (response as { output?: unknown } | null)?.output;
  if (!Array.isArray(output)) return '';
  return output
    .map((item: Record<string, unknown> | null) => {
      const list = (value: unknown) =>
        (Array.isArray(value) ? value : []) as (Record<string, unknown> | null)[];
      const parts = [...list(item?.content), ...list(item?.summary)];
      return texts([
        item?.name,
        item?.arguments,
        item?.input,
        ...parts.flatMap((part) => [part?.text, part?.refusal]),
      ]).join('');
    })
    .join('');
}

/**
 * The output a stream event carries: every `*.delta` event (output text, refusals, function
 * arguments, reasoning) has its piece in `delta`.
 */
export function deltaText(event: { type?: unknown; delta?: unknown }): string {
  return typeof event.type === 'string' &&
    event.type.endsWith('.delta') &&
    typeof event.delta === 'string'
    ? event.delta
    : '';
}
