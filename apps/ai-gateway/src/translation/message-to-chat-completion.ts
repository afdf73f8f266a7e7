import { mergeUsage } from '../messages/messages-usage';
import { finishReasonOf } from './stop-reasons';
import { isObject } from './untranslatable';
import { openAiUsageOf } from './usage-translation';

/** Seconds since the epoch, as OpenAI's `created`. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * An Anthropic message as a chat completion: text blocks as the content, tool_use blocks as tool
 * calls (input as JSON arguments), stop_reason as finish_reason, usage in OpenAI's terms. Thinking
 * is left out (a chat request cannot ask for it).
 */
export function chatCompletionFromMessage(message: Record<string, unknown>) {
  const blocks = Array.isArray(message.content) ? message.content.filter(isObject) : [];
  const text = blocks
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('');
  const calls = blocks
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({
      id: b.id,
      type: 'function',
      function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
    }));
  return {
    id: message.id,
    object: 'chat.completion',
    created: nowSeconds(),
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && calls.length ? null : text,
          refusal: null,
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(message.stop_reason),
      },
    ],
    usage: openAiUsageOf(mergeUsage(undefined, message.usage)),
  };
}
