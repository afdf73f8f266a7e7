import { Injectable } from '@nestjs/common';
import { ApiKeyGuard } from '../api-keys/api-key.guard';
import { BEARER_KEY, KeyCredentials } from '../api-keys/key-credentials';

/** The Tally key as Anthropic's clients send it (`x-api-key`), or as a Bearer token. */
export const ANTHROPIC_KEY: KeyCredentials = {
  expected: 'x-api-key: <key> or Authorization: Bearer <key>',
  read: (request) => {
    const header = request.headers['x-api-key'];
    return (typeof header === 'string' && header) || BEARER_KEY.read(request);
  },
};

@Injectable()
export class AnthropicKeyGuard extends ApiKeyGuard {
  protected override readonly credentials = ANTHROPIC_KEY;
}
