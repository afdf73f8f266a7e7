import { SetMetadata } from '@nestjs/common';

/** Where a route's target id is: a path parameter, or a field of the body. */
export interface AuditTargetSpec {
  type: string;
  param?: string;
  body?: string;
}

export interface AuditedRoute {
  action: string;
  target: AuditTargetSpec;
  /** Audited only when a person calls (holds: a service's are part of its metered work). */
  peopleOnly?: boolean;
}

export const AUDITED = Symbol('tally:audited');

/**
 * A route that changes money or configuration: each request writes one audit record, in the
 * transaction of its change (e.g. `@Audited('grant.create', { type: 'account', param: 'user_id' })`).
 */
export const Audited = (
  action: string,
  target: AuditTargetSpec,
  options: { peopleOnly?: boolean } = {},
): MethodDecorator => SetMetadata(AUDITED, { action, target, ...options } satisfies AuditedRoute);
