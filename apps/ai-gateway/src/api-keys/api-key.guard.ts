import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { BEARER_KEY, KeyCredentials } from './key-credentials';

export type { KeyedRequest } from './api-key-authenticator';

/** `Authorization: Bearer <user API key>` on the client surface (/v1). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  protected readonly credentials: KeyCredentials = BEARER_KEY;

  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await this.authenticator.authenticate(request, this.credentials);
    return true;
  }
}
