import { type AnthropicUsage, mergeUsage } from '../messages/messages-usage';
import { nowSeconds } from './message-to-chat-completion';
import { jsonData, type StreamTranslator } from './sse-data';
import { finishReasonOf } from './stop-reasons';
import { isObject } from './untranslatable';
import { openAiStreamError } from './upstream-errors';
import { openAiUsageOf } from './usage-translation';

/**
 * An Anthropic upstream's stream as a Chat Completions stream: message_start opens it (role),
 * text and tool input deltas become content and tool-call deltas, message_delta the chunk with
 * finish_reason (and, when the client asked with stream_options.include_usage, the usage chunk),
 * message_stop `[DONE]`, an `error` event an error chunk. Pings, block stops and thinking are
 * not the caller's.
 */
export class MessagesStreamToChat implements StreamTranslator {
  private id = '';
  private model: unknown;
  private readonly created = nowSeconds();
  private usage?: AnthropicUsage;
  /** Anthropic's block index → the tool call's index among the calls. */
  private readonly toolIndex = new Map<number, number>();

  constructor(private readonly includeUsage: boolean) {}

  translate(event: string): string[] {
    const data = jsonData(event);
    switch (data?.type) {
      case 'message_start':
        return this.start(data.message);
      case 'content_block_start':
        return this.blockStart(data.index, data.content_block);
      case 'content_block_delta':
        return this.blockDelta(data.index, data.delta);
      case 'message_delta':
        return this.finish(data);
      case 'message_stop':
        return ['data: [DONE]'];
      case 'error':
        return [openAiStreamError(data)];
      default:
        return [];
    }
  }

  private start(message: unknown): string[] {
    const m = isObject(message) ? message : {};
    this.id = typeof m.id === 'string' ? m.id : '';
    this.model = m.model;
    this.usage = mergeUsage(this.usage, m.usage);
    return [this.chunk({ role: 'assistant', content: '' })];
  }

  private blockStart(index: unknown, block: unknown): string[] {
    if (!isObject(block)) return [];
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
      return [this.chunk({ content: block.text })];
    }
    if (block.type !== 'tool_use' || typeof index !== 'number') return [];
    const call = this.toolIndex.size;
    this.toolIndex.set(index, call);
    const start = { index: call, id: block.id, type: 'function' };
    return [
      this.chunk({ tool_calls: [{ ...start, function: { name: block.name, arguments: '' } }] }),
    ];
  }

  private blockDelta(index: unknown, delta: unknown): string[] {
    if (!isObject(delta)) return [];
    if (delta.type === 'text_delta' && typeof delta.text === 'string') {
      return [this.chunk({ content: delta.text })];
    }
    const call = typeof index === 'number' ? this.toolIndex.get(index) : undefined;
    if (delta.type === 'input_json_delta' && call !== undefined) {
      const args = typeof delta.partial_json === 'string' ? delta.partial_json : '';
      return [this.chunk({ tool_calls: [{ index: call, function: { arguments: args } }] })];
    }
    return [];
  }

  private finish(data: Record<string, unknown>): string[] {
    this.usage = mergeUsage(this.usage, data.usage);
    const delta = isObject(data.delta) ? data.delta : {};
    const events = [this.chunk({}, finishReasonOf(delta.stop_reason))];
    if (this.includeUsage) {
      events.push(this.event({ choices: [], usage: openAiUsageOf(this.usage) }));
    }
    return events;
  }

  private chunk(delta: Record<string, unknown>, finish: string | null = null): string {
    return this.event({
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }

  private event(fields: Record<string, unknown>): string {
    const chunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      ...fields,
    };
    return `data: ${JSON.stringify(chunk)}`;
  }
}
