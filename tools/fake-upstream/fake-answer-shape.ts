import type { FakeModel } from './fake-upstream';

/**
 * What OpenAI would make of the request: `n` choices, each within the output limit (per choice:
 * `max_completion_tokens`, else `max_tokens`; `max_output_tokens` for the Responses API), hidden
 * reasoning spent first. A choice
 * whose reasoning reaches the limit shows nothing and finishes with `length`. `usage` counts all
 * choices.
 */
export interface AnswerShape {
  n: number;
  visible: boolean;
  finish: 'stop' | 'length' | 'tool_calls';
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    completion_tokens_details?: { reasoning_tokens: number };
    prompt_tokens_details?: { cached_tokens: number };
  };
}

/** The answer's shape for `n` choices within the output limit `asked` (none when not a number). */
export function shapeWithin(model: FakeModel, n: number, asked: unknown): AnswerShape {
  const limit = typeof asked === 'number' ? asked : Infinity;
  const reasoning = Math.min(model.reasoningTokens ?? 0, limit);
  const visible = reasoning < limit;
  const finish = !visible ? 'length' : model.tool ? 'tool_calls' : 'stop';
  if (!model.usage) return { n, visible, finish };
  const perChoice = Math.min(reasoning + (visible ? model.usage.completion_tokens : 0), limit);
  const completion = n * perChoice;
  return {
    n,
    visible,
    finish,
    usage: {
      prompt_tokens: model.usage.prompt_tokens,
      completion_tokens: completion,
      total_tokens: model.usage.prompt_tokens + completion,
      ...(model.reasoningTokens
        ? { completion_tokens_details: { reasoning_tokens: n * reasoning } }
        : {}),
      ...(model.cachedTokens
        ? { prompt_tokens_details: { cached_tokens: model.cachedTokens } }
        : {}),
    },
  };
}
