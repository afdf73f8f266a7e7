import { ErrorCode, isStorableText, MAX_MODEL_LENGTH } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { AUDIO_NOT_PRICED, audioInputAt } from '../metering/audio-refusal';
import { OPENAI_TOOLS, unmeteredTools } from '../metering/client-tools';
import { estimateTokens } from '../metering/token-estimate';

/** What the gateway needs to know of a Responses API request; the body is forwarded as is. */
export interface ResponsesRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The output limit, hidden reasoning included (OpenAI's meaning of max_output_tokens). */
  maxOutputTokens?: number;
  /** The response this one continues: its whole context is read again. */
  previousResponseId?: string;
  /** Estimated from the input, instructions and tools, which is what the upstream will read. */
  promptTokens: number;
}

function invalid(reason: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
}

/** Longer than any id OpenAI gives. */
const MAX_RESPONSE_ID_LENGTH = 256;
const given = (value: unknown) => value !== undefined && value !== null;
const positiveInt = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * Checks the fields the gateway acts on, with OpenAI's meaning, and refuses what it cannot
 * meter or guard; every other field is the upstream's business and passes through untouched.
 */
export function readResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '' || b.model.length > MAX_MODEL_LENGTH) {
    throw invalid(`model: must be a model name (1 to ${MAX_MODEL_LENGTH} characters)`);
  }
  if (given(b.input) && typeof b.input !== 'string' && !Array.isArray(b.input)) {
    throw invalid('input: must be a string or a list of input items');
  }
  if (!given(b.input) && !given(b.prompt)) {
    throw invalid('input: is required (or a prompt template)');
  }
  if (given(b.stream) && typeof b.stream !== 'boolean') throw invalid('stream: must be a boolean');
  if (given(b.max_output_tokens) && !positiveInt(b.max_output_tokens)) {
    throw invalid('max_output_tokens: must be a positive integer');
  }
  if (b.background === true) {
    throw invalid(
      'background: true is not supported: its result arrives after the call, where the gateway cannot meter it',
    );
  }
  if (given(b.conversation)) {
    throw invalid('conversation: not supported: the gateway cannot tell whose conversation it is');
  }
  const previous = b.previous_response_id;
  if (
    given(previous) &&
    !(
      typeof previous === 'string' &&
      previous !== '' &&
      previous.length <= MAX_RESPONSE_ID_LENGTH &&
      isStorableText(previous)
    )
  ) {
    throw invalid(
      `previous_response_id: must be a response id (1 to ${MAX_RESPONSE_ID_LENGTH} characters of text)`,
    );
  }
  // Hosted tools (web search, file search, code interpreter, image generation, computer use,
  // MCP...) are billed per call or per container beyond the tokens: see client-tools.
  const unmetered = unmeteredTools(b.tools, OPENAI_TOOLS);
  if (unmetered) throw invalid(unmetered);
  checkInputItems(b.input);
  const audio = audioInputAt(b.input, 'input');
  if (audio) throw invalid(`${audio}: ${AUDIO_NOT_PRICED}`);
  return {
    body: b,
    model: b.model,
    stream: b.stream === true,
    maxOutputTokens: (b.max_output_tokens as number | null | undefined) ?? undefined,
    previousResponseId: typeof previous === 'string' ? previous : undefined,
    promptTokens: estimateTokens(
      JSON.stringify([b.input ?? null, b.instructions ?? null, b.tools ?? null]),
    ),
  };
}

/** Items stored upstream by id may be another key's: only a key's own previous response is read. */
function checkInputItems(input: unknown): void {
  if (!Array.isArray(input)) return;
  input.forEach((item: unknown, i) => {
    if ((item as { type?: unknown } | null)?.type === 'item_reference') {
      throw invalid(
        `input[${i}].type: item_reference is not supported: the gateway cannot tell whose item it is (use previous_response_id)`,
      );
    }
  });
}
