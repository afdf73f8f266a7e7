import { ErrorBody, ErrorCode } from '@tally/contracts';
import type { ErrorShape } from '@tally/platform';

/**
 * Errors of the client surface (/v1) in OpenAI's shape, `{ error: { message, type, param, code } }`,
 * which OpenAI's clients read; the code is still one of ours (e.g. `insufficient_credits`).
 */
export const openAiErrorShape: ErrorShape = {
  pathPrefix: '/v1/',
  render: (body: ErrorBody) => ({
    error: {
      message: body.message,
      type: openAiType(body.statusCode, body.code),
      param: null,
      code: body.code,
    },
  }),
};

function openAiType(status: number, code: ErrorCode): string {
  if (code === ErrorCode.InsufficientCredits) return 'insufficient_credits';
  if (code === ErrorCode.KeyBudgetExceeded) return 'insufficient_quota';
  if (status === 429) return 'rate_limit_error';
  if (status === 403) return 'permission_error';
  if (status === 401) return 'authentication_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}
