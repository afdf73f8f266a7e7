import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import {
  currentRequestScope,
  DomainError,
  REQUEST_ID_HEADER,
  ROUTINE_REQUEST_HEADER,
} from '@tally/platform';
import { GatewayConfig } from '../config/gateway.config';

export interface CreditStoreAnswer {
  status: number;
  body: unknown;
}

const TIMEOUT_MS = 5000;

/** A person's call passed on as theirs: their own token, and the request's id. */
export interface OnBehalfOf {
  authorization: string;
  requestId: string;
}

/**
 * The person making the request under way, to pass their call on as theirs (the credit-store
 * then authorizes and audits it in its own transaction); undefined for a service's call.
 */
export function personCalling(authorization: string | undefined): OnBehalfOf | undefined {
  const scope = currentRequestScope();
  if (!scope?.principal || scope.principal.role === 'service' || !authorization) return undefined;
  return { authorization, requestId: scope.requestId };
}

/** The credit-store's HTTP API, called with the internal token (price rules, holds, refunds). */
@Injectable()
export class CreditStoreClient {
  constructor(private readonly config: GatewayConfig) {}

  /**
   * Answers whatever the credit-store answered; only an unreachable store is an error (503).
   * `routine` marks a request repeated on a timer, which the credit-store logs at debug;
   * `timeoutMs` is how long to wait for the answer (a 503 after it); `onBehalfOf`: a person's
   * call made with their token (so the credit-store authorizes and audits it as theirs).
   */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    {
      routine = false,
      timeoutMs = TIMEOUT_MS,
      onBehalfOf,
    }: { routine?: boolean; timeoutMs?: number; onBehalfOf?: OnBehalfOf } = {},
  ): Promise<CreditStoreAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.CREDIT_STORE_URL), {
        method,
        headers: {
          authorization: onBehalfOf?.authorization ?? `Bearer ${this.config.INTERNAL_TOKEN}`,
          ...(onBehalfOf ? { [REQUEST_ID_HEADER]: onBehalfOf.requestId } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(routine ? { [ROUTINE_REQUEST_HEADER]: '1' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        `the credit-store could not be reached: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
}
