import { ErrorCode, MAX_MODEL_LENGTH } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { estimateTokens } from '../metering/token-estimate';

/** What the gateway needs to know of an embeddings request; the body is forwarded as is. */
export interface EmbeddingsRequest {
  body: Record<string, unknown>;
  model: string;
  /** Estimated from the texts, or counted when the input is given as tokens. */
  promptTokens: number;
}

function invalid(reason: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
}

/** OpenAI's own bound on the inputs of one request. */
const MAX_INPUTS = 2048;
const isTokens = (value: unknown): value is number[] =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((t) => Number.isSafeInteger(t) && (t as number) >= 0);

/**
 * `input` as OpenAI takes it: a text, a list of texts, a list of token ids, or a list of such
 * lists; none of them empty.
 */
export function readEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '' || b.model.length > MAX_MODEL_LENGTH) {
    throw invalid(`model: must be a model name (1 to ${MAX_MODEL_LENGTH} characters)`);
  }
  return { body: b, model: b.model, promptTokens: inputTokens(b.input) };
}

function inputTokens(input: unknown): number {
  const reason = `input: must be a non-empty text, a list of up to ${MAX_INPUTS} non-empty texts, or token lists`;
  if (typeof input === 'string' && input !== '') return estimateTokens(input);
  if (isTokens(input)) return input.length;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS) {
    throw invalid(reason);
  }
  return input.reduce((sum: number, item: unknown, i) => {
    if (typeof item === 'string' && item !== '') return sum + estimateTokens(item);
    if (isTokens(item)) return sum + item.length;
    throw invalid(`input[${i}]: must be a non-empty text or a non-empty list of token ids`);
  }, 0);
}
