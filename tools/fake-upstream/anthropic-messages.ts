import type { ServerResponse } from 'node:http';
import { eventSink, sleep } from './fake-http';
import type { FakeModel } from './fake-upstream';

/**
 * Anthropic's Messages API as its reference documents it, for the fake upstream: a message
 * (`type: "message"`, content blocks, `stop_reason`, `usage` with input, output, cache creation
 * (in all and by lifetime, `cache_creation`) and cache read tokens), the stream's event sequence (message_start, content_block_start, ping,
 * content_block_delta…, content_block_stop, message_delta with the output count, message_stop),
 * errors as `{ type: "error", error: { type, message } }`, and count_tokens.
 */

export function anthropicError(status: number, type: string, message: string) {
  return { status, body: { type: 'error', error: { type, message } } };
}

interface Shape {
  text: string;
  stopReason: 'end_turn' | 'max_tokens' | 'tool_use';
  usage: {
    input_tokens: number;
    cache_creation_input_tokens: number;
    cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
    cache_read_input_tokens: number;
    output_tokens: number;
  };
}

/** 4 bytes a token: what the fake reports for a model configured without usage. */
const estimate = (text: string) => Math.ceil(Buffer.byteLength(text) / 4);
const promptOf = (body: Record<string, unknown>) =>
  JSON.stringify([body.system ?? null, body.messages, body.tools ?? null]);

/**
 * What the model answers within the request's max_tokens. Anthropic always reports usage: a model
 * configured without (`usage: null`) reports counts of 4 bytes a token.
 */
function shape(model: FakeModel, body: Record<string, unknown>): Shape {
  const limit = typeof body.max_tokens === 'number' ? body.max_tokens : Infinity;
  const text = model.chunks.join('');
  const produced = model.usage?.completion_tokens ?? estimate(text);
  const stopReason = produced > limit ? 'max_tokens' : model.tool ? 'tool_use' : 'end_turn';
  return {
    text,
    stopReason,
    usage: {
      input_tokens: model.usage?.prompt_tokens ?? estimate(promptOf(body)),
      cache_creation_input_tokens: model.cache?.write ?? 0,
      cache_creation: {
        ephemeral_5m_input_tokens: (model.cache?.write ?? 0) - (model.cache?.write1h ?? 0),
        ephemeral_1h_input_tokens: model.cache?.write1h ?? 0,
      },
      cache_read_input_tokens: model.cache?.read ?? 0,
      output_tokens: Math.min(produced, limit),
    },
  };
}

const toolUseId = 'toolu_fake_1';

export function anthropicMessage(
  id: string,
  modelName: string,
  model: FakeModel,
  body: Record<string, unknown>,
) {
  const answer = shape(model, body);
  const content = model.tool
    ? [
        {
          type: 'tool_use',
          id: toolUseId,
          name: model.tool,
          input: JSON.parse(answer.text || '{}') as unknown,
        },
      ]
    : [{ type: 'text', text: answer.text }];
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: modelName,
    content,
    stop_reason: answer.stopReason,
    stop_sequence: null,
    usage: answer.usage,
  };
}

/** Streams the message; `onChunk` counts each delta sent (to see that a stream was cut off). */
export async function streamAnthropicMessage(
  res: ServerResponse,
  id: string,
  modelName: string,
  model: FakeModel,
  body: Record<string, unknown>,
  onChunk: () => void,
): Promise<void> {
  const answer = shape(model, body);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const out = eventSink(res, model.batched);
  const send = (type: string, data: object) =>
    out.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: modelName,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...answer.usage, output_tokens: 1 },
    },
  });
  send('content_block_start', {
    index: 0,
    content_block: model.tool
      ? { type: 'tool_use', id: toolUseId, name: model.tool, input: {} }
      : { type: 'text', text: '' },
  });
  send('ping', {});
  const pieces = model.chunks.length;
  for (let i = 0; model.endless || i < pieces; i++) {
    if (model.chunkDelayMs) await sleep(model.chunkDelayMs);
    if (res.destroyed || res.writableEnded) return;
    const piece = model.chunks[i % pieces];
    send('content_block_delta', {
      index: 0,
      delta: model.tool
        ? { type: 'input_json_delta', partial_json: piece }
        : { type: 'text_delta', text: piece },
    });
    onChunk();
  }
  if (model.ending === 'error') {
    send('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
  }
  if (model.ending === 'error' || model.ending === 'truncated') return out.end();
  send('content_block_stop', { index: 0 });
  send('message_delta', {
    delta: { stop_reason: answer.stopReason, stop_sequence: null },
    usage: { output_tokens: answer.usage.output_tokens },
  });
  send('message_stop', {});
  out.end();
}

/** count_tokens: the model's prompt size (as its usage reports it), else 4 bytes a token. */
export function countTokens(model: FakeModel | undefined, body: Record<string, unknown>) {
  return { input_tokens: model?.usage?.prompt_tokens ?? estimate(promptOf(body)) };
}
