import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AnswerShape, shapeWithin } from './fake-answer-shape';
import { eventSink, sendJson, sleep } from './fake-http';
import type { FakeModel, FakeState } from './fake-upstream';

const CREATED = 1_760_000_000;

/** The Responses API's usage, from the shape's: output includes reasoning, input the cached. */
function responseUsage(shape: AnswerShape) {
  const usage = shape.usage;
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: {
      reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    total_tokens: usage.total_tokens,
  };
}

interface Answer {
  id: string;
  modelName: string;
  model: FakeModel;
  body: Record<string, unknown>;
  shape: AnswerShape;
}

function outputItem(answer: Answer, text: string, status: 'in_progress' | 'completed') {
  const { id, model } = answer;
  return model.tool
    ? {
        id: `fc_${id}`,
        type: 'function_call',
        status,
        call_id: 'call_fake_1',
        name: model.tool,
        arguments: text,
      }
    : {
        id: `msg_${id}`,
        type: 'message',
        status,
        role: 'assistant',
        content:
          status === 'completed'
            ? [{ type: 'output_text', text, annotations: [], logprobs: [] }]
            : [],
      };
}

/** The response object as OpenAI documents it (`usage` null until it is complete). */
function responseObject(answer: Answer, status: string, output: object[], done: boolean) {
  const { body, shape } = answer;
  return {
    id: answer.id,
    object: 'response',
    created_at: CREATED,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: answer.modelName,
    output,
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: done ? responseUsage(shape) : null,
    user: null,
    metadata: {},
  };
}

/** `POST /v1/responses`: a whole response, or its typed events as a stream. */
export async function respond(
  fake: FakeState,
  res: ServerResponse,
  modelName: string,
  model: FakeModel,
  body: Record<string, unknown>,
): Promise<void> {
  const answer: Answer = {
    // Unique across fakes: the gateway remembers response ids per key in a database tests share.
    id: `resp_fake_${randomUUID().replaceAll('-', '')}`,
    modelName,
    model,
    body,
    shape: shapeWithin(model, 1, body.max_output_tokens),
  };
  const status = answer.shape.visible ? 'completed' : 'incomplete';
  const text = answer.shape.visible ? model.chunks.join('') : '';
  const final = responseObject(answer, status, [outputItem(answer, text, 'completed')], true);
  if (body.store !== false) fake.responses.set(answer.id, final);
  if (body.stream === true) return streamResponse(fake, res, answer, final);
  if (model.chunkDelayMs) await sleep(model.chunkDelayMs * model.chunks.length);
  sendJson(res, 200, final);
}

/** `GET /v1/responses/{id}`: a stored response, or OpenAI's 404. */
export function retrieveResponse(fake: FakeState, id: string, res: ServerResponse): void {
  const stored = fake.responses.get(id);
  if (stored) return sendJson(res, 200, stored);
  sendJson(res, 404, {
    error: {
      message: `No response found with id '${id}'.`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}

/**
 * The documented event sequence: created, in_progress, the output item and its content part
 * added, the deltas, their done events, the item done, and completed (or incomplete) with usage.
 */
async function streamResponse(
  fake: FakeState,
  res: ServerResponse,
  answer: Answer,
  final: ReturnType<typeof responseObject>,
): Promise<void> {
  const { model, modelName } = answer;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sequence = 0;
  const out = eventSink(res, model.batched);
  const send = (type: string, fields: object) =>
    out.write(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`,
    );
  const itemId = model.tool ? `fc_${answer.id}` : `msg_${answer.id}`;
  const at = { item_id: itemId, output_index: 0 };
  send('response.created', { response: responseObject(answer, 'in_progress', [], false) });
  send('response.in_progress', { response: responseObject(answer, 'in_progress', [], false) });
  send('response.output_item.added', {
    output_index: 0,
    item: outputItem(answer, '', 'in_progress'),
  });
  const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
  if (!model.tool) send('response.content_part.added', { ...at, content_index: 0, part });
  const pieces = answer.shape.visible || model.endless ? model.chunks.length : 0;
  let text = '';
  for (let i = 0; model.endless || i < pieces; i++) {
    if (model.chunkDelayMs) await sleep(model.chunkDelayMs);
    if (res.destroyed || res.writableEnded) return;
    const delta = model.chunks[i % pieces];
    text += delta;
    if (model.tool) send('response.function_call_arguments.delta', { ...at, delta });
    else send('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
    fake.chunksSent.set(modelName, (fake.chunksSent.get(modelName) ?? 0) + 1);
  }
  if (model.ending === 'error') {
    send('error', { code: 'server_error', message: 'Overloaded', param: null });
  }
  if (model.ending === 'error' || model.ending === 'truncated') return out.end();
  if (model.tool) {
    send('response.function_call_arguments.done', { ...at, name: model.tool, arguments: text });
  } else {
    send('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] });
    send('response.content_part.done', { ...at, content_index: 0, part: { ...part, text } });
  }
  send('response.output_item.done', {
    output_index: 0,
    item: outputItem(answer, text, 'completed'),
  });
  send(final.status === 'completed' ? 'response.completed' : 'response.incomplete', {
    response: final,
  });
  if (model.lingerMs) await sleep(model.lingerMs);
  out.end();
}
