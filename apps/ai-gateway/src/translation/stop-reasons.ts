/** Anthropic's stop_reason as OpenAI's finish_reason. */
export function finishReasonOf(stopReason: unknown): string {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn (server tools, which are refused)
      return 'stop';
  }
}

/**
 * OpenAI's finish_reason as Anthropic's stop_reason. OpenAI says `stop` for a natural end and a
 * stop sequence alike, and does not say which sequence: both are `end_turn`.
 */
export function stopReasonOf(finishReason: unknown): string {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}
