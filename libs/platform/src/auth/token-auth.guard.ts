import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '@tally/contracts';
import type { Request } from 'express';
import { DomainError } from '../errors/domain.error';
import { bearerToken } from './bearer-token';
import { sameDigest, secretDigest } from './same-secret';
import { TOKEN_ROLES, TokenRole } from './token-auth.decorator';

export const SERVICE_TOKENS = Symbol('tally:service-tokens');
export type ServiceTokens = Record<TokenRole, string>;

/**
 * Global guard for the service tokens (`Authorization: Bearer <token>`). Deny by default: a route
 * must say which tokens it accepts, or be marked public.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  /** Each role's token as its digest: a request then hashes only the token it presents. */
  private readonly digests: [TokenRole, Buffer][];

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_TOKENS) tokens: ServiceTokens,
  ) {
    this.digests = (Object.keys(tokens) as TokenRole[]).map((r) => [r, secretDigest(tokens[r])]);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const declared = this.reflector.getAllAndOverride<
      TokenRole[] | 'public' | 'delegated' | undefined
    >(TOKEN_ROLES, [context.getHandler(), context.getClass()]);
    if (declared === 'public' || declared === 'delegated') return true;
    const accepted = declared ?? ['admin'];

    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (!token) {
      throw new DomainError(ErrorCode.Unauthorized, 'missing bearer token');
    }
    const presented = secretDigest(token);
    const role = this.digests.find(([, expected]) => sameDigest(presented, expected))?.[0];
    if (!role) throw new DomainError(ErrorCode.Unauthorized, 'invalid bearer token');
    if (!accepted.includes(role)) {
      throw new DomainError(
        ErrorCode.Forbidden,
        `this endpoint needs the ${accepted.join(' or ')} token`,
      );
    }
    return true;
  }
}
