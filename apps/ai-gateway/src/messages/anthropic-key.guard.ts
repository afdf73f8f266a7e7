import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyGuard } from '../api-keys/api-key.guard';

/** The Tally key as Anthropic's clients send it (`x-api-key`), or as a Bearer token. */
@Injectable()
export class AnthropicKeyGuard extends ApiKeyGuard {
  protected override readonly expected = 'x-api-key: <key> or Authorization: Bearer <key>';

  protected override presentedKey(request: Request): string | undefined {
    const header = request.headers['x-api-key'];
    return (typeof header === 'string' && header) || super.presentedKey(request);
  }
}
