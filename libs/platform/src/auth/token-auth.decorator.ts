import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const TOKEN_ROLES = Symbol('tally:token-roles');

/**
 * The roles a route admits besides `admin`, which may call every route. Routes without it admit
 * only admin.
 */
export const RequireRole = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(TOKEN_ROLES, roles);

/** A route anyone may call (health, metrics, public catalogue). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(TOKEN_ROLES, 'public');

/**
 * A route whose own guard authenticates the caller (the gateway's user API keys): the service
 * tokens are neither needed nor accepted there.
 */
export const DelegatedAuth = (): MethodDecorator & ClassDecorator =>
  SetMetadata(TOKEN_ROLES, 'delegated');

export type DeclaredAccess = Role[] | 'public' | 'delegated' | undefined;

/** Who may call a route with that declaration (admin always may). */
export function rolesAdmitted(declared: Role[] | undefined): Role[] {
  return ['admin', ...(declared ?? []).filter((r) => r !== 'admin')];
}
