import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '@tally/contracts';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { DomainError } from '../errors/domain.error';
import { TOKEN_ROLES, TokenRole } from './token-auth.decorator';

export const SERVICE_TOKENS = Symbol('tally:service-tokens');
export type ServiceTokens = Record<TokenRole, string>;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Global guard for the service tokens (`Authorization: Bearer <token>`). Deny by default: a route
 * must say which tokens it accepts, or be marked public.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_TOKENS) private readonly tokens: ServiceTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const declared = this.reflector.getAllAndOverride<
      TokenRole[] | 'public' | 'delegated' | undefined
    >(TOKEN_ROLES, [context.getHandler(), context.getClass()]);
    if (declared === 'public' || declared === 'delegated') return true;
    const accepted = declared ?? ['admin'];

    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token) {
      throw new DomainError(ErrorCode.Unauthorized, 'missing bearer token');
    }
    const role = (Object.keys(this.tokens) as TokenRole[]).find((r) =>
      sameSecret(token, this.tokens[r]),
    );
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
