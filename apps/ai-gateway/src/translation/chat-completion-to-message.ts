import { stopReasonOf } from './stop-reasons';
import { isObject } from './untranslatable';
import { anthropicUsageOf } from './usage-translation';

/**
 * A chat completion (its first choice: the request never asks for more) as an Anthropic message:
 * the content (or a refusal) as a text block, tool calls as tool_use blocks (arguments parsed;
 * arguments that are not a JSON object are kept as `{}`), finish_reason as stop_reason, usage in
 * Anthropic's terms.
 */
export function messageFromChatCompletion(completion: Record<string, unknown>) {
  const choice: unknown = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  const message = isObject(choice) && isObject(choice.message) ? choice.message : {};
  const text = [message.content, message.refusal].find((t) => typeof t === 'string' && t !== '');
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content: [
      ...(typeof text === 'string' ? [{ type: 'text', text }] : []),
      ...calls.map((call) => {
        const fn = isObject(call.function) ? call.function : {};
        return { type: 'tool_use', id: call.id, name: fn.name, input: toolInput(fn.arguments) };
      }),
    ],
    stop_reason: stopReasonOf(isObject(choice) ? choice.finish_reason : undefined),
    stop_sequence: null,
    usage: anthropicUsageOf(completion.usage),
  };
}

export function toolInput(args: unknown): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(typeof args === 'string' && args ? args : '{}');
    return isObject(input) ? input : {};
  } catch {
    return {};
  }
}
