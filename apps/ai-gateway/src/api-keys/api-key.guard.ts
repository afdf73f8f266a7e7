import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Request } from 'express';
import type { ApiKey } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { KeyClock } from './key-clock';
import { expired } from './key-limits';

/** The request of a client authenticated by its API key. */
export interface KeyedRequest extends Request {
  apiKey: ApiKey;
}

/** `Authorization: Bearer <user API key>` on the client surface (/v1). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly clock: KeyClock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const presented = this.presentedKey(request);
    if (!presented) {
      throw new DomainError(ErrorCode.Unauthorized, `missing API key (${this.expected})`);
    }
    const key = await this.keys.authenticate(presented);
    if (!key) throw new DomainError(ErrorCode.Unauthorized, 'invalid or revoked API key');
    if (expired(key, this.clock.now())) {
      throw new DomainError(
        ErrorCode.Unauthorized,
        `the API key expired at ${key.expires_at!.toISOString()}`,
      );
    }
    request.apiKey = key;
    return true;
  }

  protected readonly expected: string = 'Authorization: Bearer <key>';

  protected presentedKey(request: Request): string | undefined {
    const [scheme, presented] = (request.headers.authorization ?? '').split(' ');
    return scheme === 'Bearer' && presented ? presented : undefined;
  }
}
