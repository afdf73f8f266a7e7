import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnswerShape, shapeWithin } from './fake-answer-shape';
import { embed } from './fake-embeddings';
import { behave, control, FakeInstances, splitInstance } from './fake-behaviour';
import { eventSink, sendJson, sleep } from './fake-http';
import { respond, retrieveResponse } from './fake-responses';
import {
  anthropicError,
  anthropicMessage,
  countTokens,
  streamAnthropicMessage,
} from './anthropic-messages';

/** How the fake answers a model. */
export interface FakeModel {
  /** The answer's content, in the pieces a stream sends (one chunk each). */
  chunks: string[];
  /**
   * Reported usage; null: the upstream reports none (not even when asked). Anthropic's API always
   * reports usage: there, null means counts of 4 bytes a token.
   */
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** Pause before each stream chunk (and before a whole answer, once per chunk). */
  chunkDelayMs?: number;
  /** Answer this status with an OpenAI error body instead. */
  failWith?: number;
  /** Never answer. */
  hang?: boolean;
  /** Pause after a stream's last event before closing it. */
  lingerMs?: number;
  /** Stream chunks until the client goes away (whatever limit the request set). */
  endless?: boolean;
  /** Answer with a call of this function whose arguments are `chunks`, instead of content. */
  tool?: string;
  /**
   * Hidden reasoning tokens per choice, as OpenAI's reasoning models spend them: never streamed,
   * only reported (in `completion_tokens` and `completion_tokens_details.reasoning_tokens`).
   */
  reasoningTokens?: number;
  /** Of the prompt tokens, this many read from the upstream's cache (reported, never streamed). */
  cachedTokens?: number;
  /** Embedding models: the length of each vector (8 when not set). */
  dimensions?: number;
  /**
   * Anthropic's prompt cache: tokens read from it and written to it (besides prompt_tokens), and
   * of the writes, `write1h` to the 1-hour cache (0 when not set).
   */
  cache?: { read: number; write: number; write1h?: number };
  /**
   * How a stream ends after its content: `complete` (default) as the API documents; `truncated`:
   * the connection closes cleanly without the closing events (no finish, usage, `[DONE]`,
   * `response.completed`, `message_delta` or `message_stop`); `error`: the API's mid-stream error
   * event (Anthropic's `overloaded_error`), then the close.
   */
  ending?: 'complete' | 'truncated' | 'error';
  /** The whole stream written at once (one network write carrying every event). */
  batched?: boolean;
}

export interface ReceivedRequest {
  /** The path asked for (`/v1/chat/completions`, `/v1/responses`...). */
  path: string;
  authorization?: string;
  /** Anthropic's API: the key (`x-api-key`) and the version asked for. */
  apiKey?: string;
  anthropicVersion?: string;
  anthropicBeta?: string;
  body: Record<string, unknown>;
}

export interface FakeUpstream extends FakeInstances {
  /** Base URL in OpenAI's convention (ends in /v1): the instance `""`. */
  url: string;
  /** The base URL of instance `name` (another deployment, with its own behaviour). */
  instanceUrl(name: string): string;
  models: Map<string, FakeModel>;
  received: ReceivedRequest[];
  /** Stream chunks written, per model (to see that a stream was cut off). */
  chunksSent: Map<string, number>;
  /** Responses API answers kept (`store`), by id, for `GET /v1/responses/{id}`. */
  responses: Map<string, object>;
  /** Requests being answered now, and the most there ever were at once. */
  concurrency: { now: number; most: number };
  close(): Promise<void>;
}

const CREATED = 1_760_000_000;

/**
 * A small OpenAI-compatible upstream for tests and benchmarks (Chat Completions, the Responses
 * API, embeddings): deterministic answers, streams with a usage chunk when asked, and the
 * failures the gateway must survive. It listens on `host` (loopback unless told otherwise).
 */
export async function startFakeUpstream(port = 0, host = '127.0.0.1'): Promise<FakeUpstream> {
  const fake: FakeState = {
    models: new Map(),
    received: [],
    chunksSent: new Map(),
    responses: new Map(),
    concurrency: { now: 0, most: 0 },
    behaviours: new Map(),
    calls: new Map(),
  };
  const server = createServer((req, res) => {
    const { concurrency } = fake;
    concurrency.most = Math.max(concurrency.most, ++concurrency.now);
    res.on('close', () => concurrency.now--);
    void handle(fake, req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, host);
  await once(server, 'listening');
  const { port: bound } = server.address() as AddressInfo;
  return {
    ...fake,
    url: `http://${host}:${bound}/v1`,
    instanceUrl: (name) => `http://${host}:${bound}/${name}/v1`,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export type FakeState = Omit<FakeUpstream, 'url' | 'close' | 'instanceUrl'>;

const POST_PATHS = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'];

async function handle(fake: FakeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw: Buffer[] = [];
  for await (const piece of req) raw.push(piece as Buffer);
  const text = Buffer.concat(raw).toString();
  if (control(fake, req, res, text)) return;
  const { instance, path } = splitInstance(req.url ?? '');
  if (req.method === 'POST' && path.startsWith('/v1/messages')) {
    return handleAnthropic(fake, req, res, text, path, instance);
  }
  if (req.method === 'GET' && path.startsWith('/v1/responses/')) {
    fake.received.push({ path, authorization: req.headers.authorization, body: {} });
    return retrieveResponse(fake, decodeURIComponent(path.slice('/v1/responses/'.length)), res);
  }
  if (req.method !== 'POST' || !POST_PATHS.includes(path)) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no"}}');
    return;
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  fake.received.push({ path, authorization: req.headers.authorization, body });
  const behaviour = behave(fake, instance, res, (status) => ({
    status,
    body: {
      error: { message: 'the fake deployment failed on purpose', type: 'server_error', code: null },
    },
  }));
  if (behaviour === 'done') return;
  const cut = behaviour === 'break';
  const modelName = String(body.model);
  const model = fake.models.get(modelName);
  if (!model) {
    return sendJson(res, 404, {
      error: {
        message: `unknown model ${modelName}`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      },
    });
  }
  if (model.hang) return; // the socket stays open until the client gives up
  if (model.failWith) {
    return sendJson(res, model.failWith, {
      error: { message: 'the fake upstream failed on purpose', type: 'server_error', code: null },
    });
  }
  if (path === '/v1/responses') return respond(fake, res, modelName, model, body);
  if (path === '/v1/embeddings') return embed(res, modelName, model, body);
  const id = `chatcmpl-fake-${fake.received.length}`;
  if (body.stream === true) {
    const wantsUsage =
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    return stream(fake, res, modelName, model, id, wantsUsage, answerShape(model, body), cut);
  }
  if (model.chunkDelayMs) await sleep(model.chunkDelayMs * model.chunks.length);
  const answer = completion(modelName, model, id, answerShape(model, body));
  if (cut) return cutHalfWay(res, JSON.stringify(answer));
  sendJson(res, 200, answer);
}

/** A whole answer that breaks off half-way (the connection is destroyed). */
function cutHalfWay(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
  res.write(text.slice(0, text.length / 2), () => res.destroy());
}

/** Anthropic's Messages API (`/v1/messages`, `/v1/messages/count_tokens`). */
async function handleAnthropic(
  fake: FakeState,
  req: IncomingMessage,
  res: ServerResponse,
  text: string,
  path: string,
  instance: string,
): Promise<void> {
  const body = JSON.parse(text) as Record<string, unknown>;
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  fake.received.push({
    authorization: header('authorization'),
    apiKey: header('x-api-key'),
    anthropicVersion: header('anthropic-version'),
    anthropicBeta: header('anthropic-beta'),
    path,
    body,
  });
  const modelName = String(body.model);
  const model = fake.models.get(modelName);
  const fail = ({ status, body: error }: ReturnType<typeof anthropicError>) =>
    sendJson(res, status, error);
  if (!header('anthropic-version')) {
    return fail(
      anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required'),
    );
  }
  if (path === '/v1/messages/count_tokens') return sendJson(res, 200, countTokens(model, body));
  if (path !== '/v1/messages') return fail(anthropicError(404, 'not_found_error', 'no'));
  const behaviour = behave(fake, instance, res, (status) =>
    anthropicError(status, status === 529 ? 'overloaded_error' : 'api_error', 'failed on purpose'),
  );
  if (behaviour === 'done') return;
  if (behaviour === 'break') {
    return cutHalfWay(
      res,
      JSON.stringify(
        anthropicMessage('msg_cut', modelName, model ?? { chunks: [], usage: null }, body),
      ),
    );
  }
  if (!model) return fail(anthropicError(404, 'not_found_error', `model: ${modelName}`));
  if (model.hang) return;
  if (model.failWith) {
    return fail(anthropicError(model.failWith, 'api_error', 'the fake upstream failed on purpose'));
  }
  const id = `msg_fake_${fake.received.length}`;
  if (body.stream === true) {
    return streamAnthropicMessage(res, id, modelName, model, body, () =>
      fake.chunksSent.set(modelName, (fake.chunksSent.get(modelName) ?? 0) + 1),
    );
  }
  if (model.chunkDelayMs) await sleep(model.chunkDelayMs * model.chunks.length);
  sendJson(res, 200, anthropicMessage(id, modelName, model, body));
}

function answerShape(model: FakeModel, body: Record<string, unknown>): AnswerShape {
  const n = typeof body.n === 'number' && body.n > 0 ? body.n : 1;
  return shapeWithin(model, n, body.max_completion_tokens ?? body.max_tokens);
}

const toolCallId = 'call_fake_1';

export function completion(modelName: string, model: FakeModel, id: string, shape: AnswerShape) {
  const text = shape.visible ? model.chunks.join('') : '';
  const message = model.tool
    ? {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          { id: toolCallId, type: 'function', function: { name: model.tool, arguments: text } },
        ],
      }
    : { role: 'assistant', content: text, refusal: null };
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model: modelName,
    choices: Array.from({ length: shape.n }, (_, index) => ({
      index,
      message,
      logprobs: null,
      finish_reason: shape.finish,
    })),
    ...(shape.usage ? { usage: shape.usage } : {}),
  };
}

async function stream(
  fake: FakeState,
  res: ServerResponse,
  modelName: string,
  model: FakeModel,
  id: string,
  wantsUsage: boolean,
  shape: AnswerShape,
  /** The connection breaks after the first chunk of content. */
  cut = false,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // One event per choice for each piece, as OpenAI interleaves the choices of `n`.
  const chunk = (delta: object, index: number, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: modelName,
    choices: [{ index, delta, logprobs: null, finish_reason: finish }],
  });
  const out = eventSink(res, model.batched);
  const send = (data: object | string) =>
    out.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  const piece = (text: string, first: boolean) =>
    model.tool
      ? {
          tool_calls: [
            first
              ? {
                  index: 0,
                  id: toolCallId,
                  type: 'function',
                  function: { name: model.tool, arguments: text },
                }
              : { index: 0, function: { arguments: text } },
          ],
        }
      : { content: text };
  const choices = Array.from({ length: shape.n }, (_, index) => index);
  for (const index of choices) {
    send(chunk({ role: 'assistant', content: model.tool ? null : '' }, index));
  }
  const pieces = shape.visible || model.endless ? model.chunks.length : 0;
  for (let i = 0; model.endless || i < pieces; i++) {
    if (model.chunkDelayMs) await sleep(model.chunkDelayMs);
    if (res.destroyed || res.writableEnded) return;
    for (const index of choices) send(chunk(piece(model.chunks[i % pieces], i === 0), index));
    fake.chunksSent.set(modelName, (fake.chunksSent.get(modelName) ?? 0) + 1);
    if (cut) return void res.write('', () => res.destroy());
  }
  if (model.ending === 'error') {
    send({ error: { message: 'Overloaded', type: 'server_error', param: null, code: null } });
  }
  if (model.ending === 'error' || model.ending === 'truncated') return out.end();
  for (const index of choices) send(chunk({}, index, shape.finish));
  if (wantsUsage && shape.usage) {
    send({
      id,
      object: 'chat.completion.chunk',
      created: CREATED,
      model: modelName,
      choices: [],
      usage: shape.usage,
    });
  }
  send('[DONE]');
  out.end();
}
