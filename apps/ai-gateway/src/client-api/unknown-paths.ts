import { methodsServing, type UnmatchedPaths } from '@tally/platform';
import type { Request } from 'express';
import { openAiErrorShape } from '../chat/openai-error-shape';
import { anthropicErrorShape } from '../messages/anthropic-error-shape';

const API_PREFIX = '/v1';

/**
 * A path no route serves, answered to the clients that call the gateway most: in OpenAI's error
 * shape, or Anthropic's when the request says `anthropic-version` (or is under /v1/messages),
 * saying where the call should have gone. The usual cause is a base URL without /v1 for an
 * OpenAI client (`/chat/completions`) or with it for an Anthropic one (`/v1/v1/messages`).
 */
export const unknownPaths: UnmatchedPaths = {
  shape: (req) => (speaksAnthropic(req) ? anthropicErrorShape : openAiErrorShape),
  message: (req) => {
    const asked = `${req.method} ${req.path}`;
    const served = methodsServing(req, req.path);
    if (served.length > 0) {
      return `${asked} is not served here: ${req.path} takes ${served.join(', ')}`;
    }
    const address = `http://${req.headers.host ?? 'gateway'}`;
    const baseUrl = speaksAnthropic(req)
      ? `an Anthropic client's base URL is the gateway's address without /v1, e.g. ${address}`
      : `an OpenAI client's base URL should end in /v1, e.g. ${address}${API_PREFIX}`;
    const withPrefix = `${API_PREFIX}${req.path}`;
    if (!req.path.startsWith(`${API_PREFIX}/`) && methodsServing(req, withPrefix).length > 0) {
      return `no route ${asked}: use ${req.method} ${withPrefix} (${baseUrl})`;
    }
    const withoutPrefix = req.path.slice(API_PREFIX.length);
    if (
      req.path.startsWith(`${API_PREFIX}${API_PREFIX}/`) &&
      methodsServing(req, withoutPrefix).length > 0
    ) {
      return `no route ${asked}: use ${req.method} ${withoutPrefix}, the base URL has /v1 once too often (${baseUrl})`;
    }
    return `no route ${asked}: the gateway serves OpenAI's API under /v1 (/v1/chat/completions, /v1/responses, /v1/embeddings, /v1/models, /v1/me) and Anthropic's at /v1/messages (${baseUrl})`;
  },
};

function speaksAnthropic(req: Request): boolean {
  return (
    req.headers['anthropic-version'] !== undefined ||
    req.path.startsWith(anthropicErrorShape.pathPrefix)
  );
}
