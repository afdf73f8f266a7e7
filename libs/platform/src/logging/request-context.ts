import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { PendingAudit } from '../audit/audit-record';
import type { Principal } from '../auth/roles';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept if it is a plain token; anything else is replaced, never logged as is. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What one HTTP request carries through its guards, handler and transactions: its id, and once
 * the token guard has run, who called and the audit record the request owes.
 */
export interface RequestScope {
  requestId: string;
  principal?: Principal;
  audit?: PendingAudit;
}

const context = new AsyncLocalStorage<RequestScope>();

export function currentRequestScope(): RequestScope | undefined {
  return context.getStore();
}

/** The id of the HTTP request this code runs for, if any (it goes into logs, outbox rows, events). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/** `{ reqId }` inside a request, `{}` outside: what every log line adds (pino's mixin). */
export function requestIdFields(): { reqId?: string } {
  const reqId = currentRequestId();
  return reqId ? { reqId } : {};
}

type IdentifiedRequest = Request & { id?: string };

/**
 * First middleware: the request's id, from `x-request-id` or new, on `req.id` (where pino-http
 * takes it for every log line) and echoed in the response header.
 */
export function assignRequestId(req: IdentifiedRequest, res: Response, next: NextFunction): void {
  const given = req.headers[REQUEST_ID_HEADER];
  req.id = typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, req.id);
  next();
}

/**
 * After the body is parsed (body-parser's stream callbacks would leave the context): the rest of
 * the request, guards and handlers and their transactions, runs with `currentRequestId()` set.
 */
export function enterRequestContext(
  req: IdentifiedRequest,
  _res: Response,
  next: NextFunction,
): void {
  context.run({ requestId: req.id ?? randomUUID() }, next);
}
