import { eventData } from '../metering/server-sent-events';
import { jsonData, type StreamTranslator } from './sse-data';
import { stopReasonOf } from './stop-reasons';
import { isObject } from './untranslatable';
import { anthropicStreamError } from './upstream-errors';
import { anthropicUsageOf } from './usage-translation';

/**
 * An OpenAI upstream's Chat Completions stream (asked with its usage chunk) as Anthropic's event
 * stream: the first chunk opens the message (message_start), content and tool-call deltas become
 * text and tool_use blocks (content_block_start, _delta, _stop), the usage chunk message_delta
 * with the stop reason and the whole usage, `[DONE]` message_stop, an error chunk an `error`
 * event.
 */
export class ChatStreamToMessages implements StreamTranslator {
  private started = false;
  /** The content block open now (its index) and what it is. */
  private block = -1;
  private open?: 'text' | 'tool';
  /** OpenAI's tool-call index → the tool_use block's index. */
  private readonly toolBlocks = new Map<number, number>();
  private stopReason = 'end_turn';
  private delivered = false;

  translate(event: string): string[] {
    if (eventData(event) === '[DONE]') return this.done();
    const chunk = jsonData(event);
    if (!chunk) return [];
    if (chunk.error !== undefined) return [anthropicStreamError(chunk)];
    const events = this.started ? [] : this.start(chunk);
    const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (isObject(choice)) events.push(...this.choice(choice));
    if (isObject(chunk.usage)) events.push(...this.finish(chunk.usage));
    return events;
  }

  private start(chunk: Record<string, unknown>): string[] {
    this.started = true;
    const message = {
      id: chunk.id,
      type: 'message',
      role: 'assistant',
      model: chunk.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    return [event('message_start', { message })];
  }

  private choice(choice: Record<string, unknown>): string[] {
    const delta = isObject(choice.delta) ? choice.delta : {};
    const events: string[] = [];
    for (const text of [delta.content, delta.refusal]) {
      if (typeof text !== 'string' || text === '') continue;
      if (this.open !== 'text') events.push(...this.openBlock('text', { type: 'text', text: '' }));
      events.push(this.delta({ type: 'text_delta', text }));
    }
    const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls.filter(isObject) : [];
    for (const call of calls) events.push(...this.toolCall(call));
    if (typeof choice.finish_reason === 'string') {
      this.stopReason = stopReasonOf(choice.finish_reason);
      events.push(...this.closeBlock());
    }
    return events;
  }

  private toolCall(call: Record<string, unknown>): string[] {
    const index = typeof call.index === 'number' ? call.index : 0;
    const fn = isObject(call.function) ? call.function : {};
    const events: string[] = [];
    if (!this.toolBlocks.has(index)) {
      const block = { type: 'tool_use', id: call.id, name: fn.name, input: {} };
      events.push(...this.openBlock('tool', block));
      this.toolBlocks.set(index, this.block);
    }
    const args = fn.arguments;
    if (typeof args === 'string' && args !== '' && this.toolBlocks.get(index) === this.block) {
      events.push(this.delta({ type: 'input_json_delta', partial_json: args }));
    }
    return events;
  }

  private openBlock(kind: 'text' | 'tool', contentBlock: Record<string, unknown>): string[] {
    const events = this.closeBlock();
    this.block++;
    this.open = kind;
    events.push(event('content_block_start', { index: this.block, content_block: contentBlock }));
    return events;
  }

  private closeBlock(): string[] {
    if (!this.open) return [];
    this.open = undefined;
    return [event('content_block_stop', { index: this.block })];
  }

  private delta(delta: Record<string, unknown>): string {
    return event('content_block_delta', { index: this.block, delta });
  }

  /** The usage chunk: the message's end, with the whole usage. */
  private finish(usage: unknown): string[] {
    this.delivered = true;
    return [
      ...this.closeBlock(),
      event('message_delta', {
        delta: { stop_reason: this.stopReason, stop_sequence: null },
        usage: anthropicUsageOf(usage),
      }),
    ];
  }

  /** `[DONE]`: message_stop (after the end, should no usage chunk have come). */
  private done(): string[] {
    const end = this.delivered ? [] : this.finish(undefined);
    return [...end, event('message_stop', {})];
  }
}

function event(type: string, fields: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}`;
}
