import { ErrorCode, MAX_MODEL_LENGTH } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { AUDIO_NOT_PRICED, audioInputAt } from '../metering/audio-refusal';
import { OPENAI_TOOLS, unmeteredField, unmeteredTools } from '../metering/client-tools';
import { estimateTokens } from '../metering/token-estimate';

/** What the gateway needs to know of an OpenAI chat request; the body itself is forwarded as is. */
export interface ChatRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** Whether the client asked for the usage chunk at the end of a stream. */
  clientWantsUsage: boolean;
  /** max_completion_tokens, or the older max_tokens (per choice, hidden reasoning included). */
  maxOutputTokens?: number;
  /** Choices asked for (`n`): each may produce up to the output limit. */
  choices: number;
  /** Estimated from the messages (and tools), which is what the upstream will read. */
  promptTokens: number;
}

function invalid(reason: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
}

const positiveInt = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;
/** OpenAI's own bound on `n`. */
const MAX_CHOICES = 128;

/** Fields that make the upstream work beyond the tokens it reports (see client-tools). */
const REFUSED_FIELDS = {
  web_search_options: 'web search is billed per call beyond tokens',
  mcp_servers: 'the upstream would connect to servers the caller chose, billed beyond tokens',
};

/**
 * Checks the fields the gateway acts on, with OpenAI's meaning, and refuses what it cannot meter;
 * every other field is the upstream's business and passes through untouched.
 */
export function readChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '' || b.model.length > MAX_MODEL_LENGTH) {
    throw invalid(`model: must be a model name (1 to ${MAX_MODEL_LENGTH} characters)`);
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw invalid('messages: must be a non-empty list');
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    throw invalid('stream: must be a boolean');
  }
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    if (b[field] !== undefined && b[field] !== null && !positiveInt(b[field])) {
      throw invalid(`${field}: must be a positive integer`);
    }
  }
  if (b.n !== undefined && b.n !== null && !(positiveInt(b.n) && (b.n as number) <= MAX_CHOICES)) {
    throw invalid(`n: must be an integer from 1 to ${MAX_CHOICES}`);
  }
  const options = b.stream_options;
  if (
    options !== undefined &&
    options !== null &&
    (typeof options !== 'object' || Array.isArray(options))
  ) {
    throw invalid('stream_options: must be an object');
  }
  const unmetered = unmeteredField(b, REFUSED_FIELDS) ?? unmeteredTools(b.tools, OPENAI_TOOLS);
  if (unmetered) throw invalid(unmetered);
  refuseAudio(b);
  const max = (b.max_completion_tokens ?? b.max_tokens) as number | null | undefined;
  return {
    body: b,
    model: b.model,
    stream: b.stream === true,
    clientWantsUsage: (options as { include_usage?: unknown } | null)?.include_usage === true,
    maxOutputTokens: max ?? undefined,
    choices: (b.n as number | null | undefined) ?? 1,
    promptTokens: estimateTokens(JSON.stringify([b.messages, b.tools ?? null])),
  };
}

/** Audio out (`modalities`, `audio`) or in (`input_audio` parts): refused, as it is not priced. */
function refuseAudio(b: Record<string, unknown>): void {
  if (Array.isArray(b.modalities) && b.modalities.includes('audio')) {
    throw invalid(`modalities: ${AUDIO_NOT_PRICED}; ask for ["text"]`);
  }
  if (b.audio !== undefined && b.audio !== null) throw invalid(`audio: ${AUDIO_NOT_PRICED}`);
  const at = audioInputAt(b.messages, 'messages');
  if (at) throw invalid(`${at}: ${AUDIO_NOT_PRICED}`);
}
