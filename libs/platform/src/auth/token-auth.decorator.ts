import { SetMetadata } from '@nestjs/common';

export type TokenRole = 'admin' | 'internal';

export const TOKEN_ROLES = Symbol('tally:token-roles');

/** The bearer tokens a route accepts. Routes without it accept only the admin token. */
export const RequireToken = (...roles: TokenRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(TOKEN_ROLES, roles);

/** A route anyone may call (health, metrics, public catalogue). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(TOKEN_ROLES, 'public');

/**
 * A route whose own guard authenticates the caller (the gateway's user API keys): the service
 * tokens are neither needed nor accepted there.
 */
export const DelegatedAuth = (): MethodDecorator & ClassDecorator =>
  SetMetadata(TOKEN_ROLES, 'delegated');
