import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCode, MAX_MODEL_LENGTH } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { ANTHROPIC_TOOLS, unmeteredField, unmeteredTools } from '../metering/client-tools';
import { estimateTokens } from '../metering/token-estimate';

/** What Anthropic's API versions its requests with when the client says nothing. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** What the gateway needs to know of an Anthropic Messages request; the body is forwarded as is. */
export interface MessagesRequest {
  body: Record<string, unknown>;
  /** The Anthropic headers the upstream gets from the client: the API version and betas. */
  headers: Record<string, string>;
  model: string;
  stream: boolean;
  /** `max_tokens`, required by Anthropic's API: the most output (thinking included) it may produce. */
  maxTokens: number;
  /** Estimated from what the upstream will read: system prompt, messages and tools. */
  promptTokens: number;
  /** Some `cache_control` asks for the 1-hour cache, whose writes cost more than 5-minute ones. */
  hourCacheWrites: boolean;
}

function invalid(reason: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
}

function readObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function readModel(b: Record<string, unknown>): string {
  if (typeof b.model !== 'string' || b.model === '' || b.model.length > MAX_MODEL_LENGTH) {
    throw invalid(`model: must be a model name (1 to ${MAX_MODEL_LENGTH} characters)`);
  }
  return b.model;
}

function readMessages(b: Record<string, unknown>): void {
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw invalid('messages: must be a non-empty list');
  }
}

/**
 * Top-level fields that make the upstream work on the operator's account beyond the tokens it
 * reports, refused as server tools are.
 */
const REFUSED_FIELDS = {
  mcp_servers: 'the upstream would connect to servers the caller chose, billed beyond tokens',
  container: 'code execution containers are billed per use beyond tokens',
};

/**
 * The betas whose effect the usage prices: prompt caching (reads and writes reported, 1-hour
 * writes apart), thinking between tool calls and longer outputs (output tokens, within
 * max_tokens), leaner tool tokens, finer tool streaming, and computer use (a client tool). Any
 * other beta may bring a server tool, the operator's stored files, or prices the price rules do
 * not have (long context), so it is refused rather than passed on unmetered.
 */
const METERED_BETAS = new Set([
  'prompt-caching-2024-07-31',
  'extended-cache-ttl-2025-04-11',
  'interleaved-thinking-2025-05-14',
  'output-128k-2025-02-19',
  'token-efficient-tools-2025-02-19',
  'fine-grained-tool-streaming-2025-05-14',
  'computer-use-2024-10-22',
  'computer-use-2025-01-24',
  'computer-use-2025-11-24',
]);

function readHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const version = headers['anthropic-version'];
  const given = headers['anthropic-beta'];
  const betas = (Array.isArray(given) ? given : [given ?? ''])
    .flatMap((value) => value.split(','))
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '');
  const unmetered = betas.find((beta) => !METERED_BETAS.has(beta));
  if (unmetered !== undefined) {
    throw invalid(
      `anthropic-beta: ${unmetered} is not supported: only ${[...METERED_BETAS].join(', ')} can be metered`,
    );
  }
  return {
    'anthropic-version':
      typeof version === 'string' && version ? version : DEFAULT_ANTHROPIC_VERSION,
    ...(betas.length ? { 'anthropic-beta': betas.join(',') } : {}),
  };
}

/** Refuses what the upstream would bill beyond the tokens it reports. */
function checkMetered(b: Record<string, unknown>): void {
  const refused = unmeteredField(b, REFUSED_FIELDS) ?? unmeteredTools(b.tools, ANTHROPIC_TOOLS);
  if (refused) throw invalid(refused);
}

/** Whether any `cache_control` in the request (top level or a block's) has `ttl: "1h"`. */
function asksHourCache(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  if (Array.isArray(value)) return value.some((item) => asksHourCache(item, depth + 1));
  const control = (value as Record<string, unknown>).cache_control;
  if (
    typeof control === 'object' &&
    control !== null &&
    (control as { ttl?: unknown }).ttl === '1h'
  ) {
    return true;
  }
  return Object.values(value).some((item) => asksHourCache(item, depth + 1));
}

const promptOf = (b: Record<string, unknown>) =>
  estimateTokens(JSON.stringify([b.system ?? null, b.messages, b.tools ?? null]));

/**
 * Checks the fields the gateway acts on, with Anthropic's meaning, and refuses what it cannot
 * meter; every other field is the upstream's business and passes through untouched.
 */
export function readMessagesRequest(body: unknown, headers: IncomingHttpHeaders): MessagesRequest {
  const b = readObject(body);
  const model = readModel(b);
  readMessages(b);
  checkMetered(b);
  if (!(Number.isSafeInteger(b.max_tokens) && (b.max_tokens as number) > 0)) {
    throw invalid('max_tokens: is required, a positive integer');
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    throw invalid('stream: must be a boolean');
  }
  return {
    body: b,
    headers: readHeaders(headers),
    model,
    stream: b.stream === true,
    maxTokens: b.max_tokens as number,
    promptTokens: promptOf(b),
    hourCacheWrites: asksHourCache(b),
  };
}

/**
 * `POST /v1/messages/count_tokens`: a model and messages (what the upstream counts), refused as
 * the message would be (counting tools may call an MCP server).
 */
export function readCountTokensRequest(
  body: unknown,
  headers: IncomingHttpHeaders,
): Pick<MessagesRequest, 'body' | 'headers' | 'model'> {
  const b = readObject(body);
  const model = readModel(b);
  readMessages(b);
  checkMetered(b);
  return { body: b, headers: readHeaders(headers), model };
}
