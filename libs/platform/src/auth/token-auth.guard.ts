import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '@tally/contracts';
import type { Request } from 'express';
import type { PendingAudit } from '../audit/audit-record';
import { AuditTrail } from '../audit/audit-trail';
import { AUDITED, AuditedRoute } from '../audit/audited.decorator';
import { uuidv7 } from '../ids/uuid-v7';
import { DomainError } from '../errors/domain.error';
import { bearerToken } from './bearer-token';
import { currentRequestScope } from '../logging/request-context';
import {
  BOOTSTRAP_ADMIN,
  BOOTSTRAP_SERVICE,
  Principal,
  PRINCIPAL_DIRECTORY,
  PRINCIPAL_TOKEN_SHAPE,
  type PrincipalDirectory,
} from './roles';
import { sameDigest, secretDigest } from './same-secret';
import { DeclaredAccess, rolesAdmitted, TOKEN_ROLES } from './token-auth.decorator';

export const SERVICE_TOKENS = Symbol('tally:service-tokens');
export interface ServiceTokens {
  admin: string;
  internal: string;
}

/**
 * Global guard for the people and services that call with a bearer token: the two bootstrap
 * tokens of the config, or a principal's. Deny by default: a route must say which roles it admits
 * (admin always), or be marked public. A refusal for the role is audited as `denied`; a route
 * marked `@Audited` gets its pending record here, with the caller as its actor.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  /** The bootstrap tokens as digests: a request then hashes only the token it presents. */
  private readonly bootstrap: [Principal, Buffer][];

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_TOKENS) tokens: ServiceTokens,
    @Inject(PRINCIPAL_DIRECTORY) private readonly directory: PrincipalDirectory,
    private readonly trail: AuditTrail,
  ) {
    this.bootstrap = [
      [BOOTSTRAP_ADMIN, secretDigest(tokens.admin)],
      [BOOTSTRAP_SERVICE, secretDigest(tokens.internal)],
    ];
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const declared = this.reflector.getAllAndOverride<DeclaredAccess>(TOKEN_ROLES, targets);
    if (declared === 'public' || declared === 'delegated') return true;
    const admitted = rolesAdmitted(declared);

    const req = context.switchToHttp().getRequest<Request>();
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      throw new DomainError(ErrorCode.Unauthorized, 'missing bearer token');
    }
    const principal = await this.principalOf(token);
    if (!principal) throw new DomainError(ErrorCode.Unauthorized, 'invalid bearer token');

    const scope = currentRequestScope();
    const audited = this.reflector.get<AuditedRoute | undefined>(AUDITED, context.getHandler());
    const route = audited?.peopleOnly && principal.role === 'service' ? undefined : audited;
    if (scope) {
      scope.principal = principal;
      scope.audit = {
        record: this.recordOf(context.getHandler(), req, principal, route, scope.requestId),
        state: 'pending',
      };
      // Reads are audited only when refused.
      if (!admitted.includes(principal.role)) {
        await this.trail.settle('denied', 403);
      } else if (!route) {
        scope.audit = undefined;
      }
    }
    if (!admitted.includes(principal.role)) {
      const needed = admitted.join(' or ');
      throw new DomainError(ErrorCode.Forbidden, `this endpoint needs the ${needed} role`);
    }
    return true;
  }

  private async principalOf(token: string): Promise<Principal | undefined> {
    const digest = secretDigest(token);
    // Both compared every time, so the answer's timing does not tell which token was close.
    const matches = this.bootstrap.filter(([, expected]) => sameDigest(digest, expected));
    if (matches.length > 0) return matches[0][0];
    return PRINCIPAL_TOKEN_SHAPE.test(token) ? this.directory.findByDigest(digest) : undefined;
  }

  private recordOf(
    handler: ReturnType<ExecutionContext['getHandler']>,
    req: Request,
    principal: Principal,
    route: AuditedRoute | undefined,
    requestId: string,
  ): PendingAudit['record'] {
    const routePath = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const target = route?.target ?? { type: 'route' };
    const params = req.params as Record<string, string | undefined>;
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const fromBody = target.body ? body[target.body] : undefined;
    const targetId =
      (target.param ? params[target.param] : undefined) ??
      (typeof fromBody === 'string' || typeof fromBody === 'number' ? String(fromBody) : null) ??
      (route ? null : `${req.method} ${routePath}`);
    return {
      id: uuidv7(),
      at: new Date().toISOString(),
      app: this.trail.app,
      actor: { id: principal.id, name: principal.name, role: principal.role },
      action: route?.action ?? `${req.method} ${routePath}`,
      target: { type: target.type, id: targetId },
      request_id: requestId,
      status: declaredStatus(
        req,
        this.reflector.get<number | undefined>(HTTP_CODE_METADATA, handler),
      ),
      before: null,
      after: route && Object.keys(body).length > 0 ? body : null,
    };
  }
}

/** The status a successful request of the route answers: its `@HttpCode`, else Nest's default. */
function declaredStatus(req: Request, declared: number | undefined): number {
  return declared ?? (req.method === 'POST' ? 201 : 200);
}
