import { anthropicError, anthropicErrorType } from '../messages/anthropic-error-shape';
import { isObject } from './untranslatable';

/** OpenAI's error type for a status. */
function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The error an upstream's body says (either API's shape), or its text when it is neither. */
function errorOf(text: string, status: number): { message: string; type?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = isObject(parsed) ? parsed.error : undefined;
  if (isObject(error) && typeof error.message === 'string') {
    return {
      message: error.message,
      type: typeof error.type === 'string' ? error.type : undefined,
    };
  }
  const plain = text.trim().slice(0, 500);
  return { message: plain || `the upstream answered ${status}` };
}

/** An Anthropic upstream's error answer in OpenAI's shape; Anthropic's type is the `code`. */
export function openAiErrorFromAnthropic(status: number, text: string) {
  const { message, type } = errorOf(text, status);
  return { error: { message, type: openAiErrorType(status), param: null, code: type ?? null } };
}

/** An OpenAI upstream's error answer in Anthropic's shape (the type by its status). */
export function anthropicErrorFromOpenAi(status: number, text: string) {
  return anthropicError(anthropicErrorType(status), errorOf(text, status).message);
}

/** An Anthropic stream's `error` event (its data) as an OpenAI stream's error chunk. */
export function openAiStreamError(data: Record<string, unknown>): string {
  const error = isObject(data.error) ? data.error : {};
  const message = typeof error.message === 'string' ? error.message : 'the upstream failed';
  const body = {
    error: { message, type: 'server_error', param: null, code: error.type ?? null },
  };
  return `data: ${JSON.stringify(body)}`;
}

/** An OpenAI stream's error chunk (its data) as Anthropic's `error` event. */
export function anthropicStreamError(data: Record<string, unknown>): string {
  const error = isObject(data.error) ? data.error : {};
  const message = typeof error.message === 'string' ? error.message : 'the upstream failed';
  return `event: error\ndata: ${JSON.stringify(anthropicError('api_error', message))}`;
}
