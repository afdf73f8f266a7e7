import { ErrorBody, ErrorCode } from '@tally/contracts';
import type { ErrorShape } from '@tally/platform';

/**
 * Errors of Anthropic's surface (/v1/messages) in Anthropic's shape,
 * `{ type: "error", error: { type, message } }`, which its clients read.
 */
export const anthropicErrorShape: ErrorShape = {
  pathPrefix: '/v1/messages',
  render: (body: ErrorBody) =>
    anthropicError(anthropicErrorType(body.statusCode, body.code), body.message),
};

export function anthropicError(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

/** Anthropic's error type for one of our errors (by its status; credits are `billing_error`). */
export function anthropicErrorType(status: number, code?: ErrorCode): string {
  if (code === ErrorCode.InsufficientCredits || code === ErrorCode.KeyBudgetExceeded) {
    return 'billing_error';
  }
  if (status === 402) return 'billing_error';
  switch (status) {
    case 400:
    case 409:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
