import { ErrorCode, MAX_MODEL_LENGTH } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { estimateTokens } from '../metering/token-estimate';

/** What the gateway needs to know of an Anthropic Messages request; the body is forwarded as is. */
export interface MessagesRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** `max_tokens`, required by Anthropic's API: the most output (thinking included) it may produce. */
  maxTokens: number;
  /** Estimated from what the upstream will read: system prompt, messages and tools. */
  promptTokens: number;
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

const promptOf = (b: Record<string, unknown>) =>
  estimateTokens(JSON.stringify([b.system ?? null, b.messages, b.tools ?? null]));

/**
 * Checks the few fields the gateway acts on, with Anthropic's meaning; every other field is the
 * upstream's business and passes through untouched.
 */
export function readMessagesRequest(body: unknown): MessagesRequest {
  const b = readObject(body);
  const model = readModel(b);
  readMessages(b);
  if (!(Number.isSafeInteger(b.max_tokens) && (b.max_tokens as number) > 0)) {
    throw invalid('max_tokens: is required, a positive integer');
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    throw invalid('stream: must be a boolean');
  }
  return {
    body: b,
    model,
    stream: b.stream === true,
    maxTokens: b.max_tokens as number,
    promptTokens: promptOf(b),
  };
}

/** `POST /v1/messages/count_tokens`: a model and messages (what the upstream counts). */
export function readCountTokensRequest(body: unknown): {
  body: Record<string, unknown>;
  model: string;
} {
  const b = readObject(body);
  const model = readModel(b);
  readMessages(b);
  return { body: b, model };
}
