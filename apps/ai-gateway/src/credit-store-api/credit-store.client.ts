import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, ROUTINE_REQUEST_HEADER } from '@tally/platform';
import { GatewayConfig } from '../config/gateway.config';

export interface CreditStoreAnswer {
  status: number;
  body: unknown;
}

const TIMEOUT_MS = 5000;

/** The credit-store's HTTP API, called with the internal token (price rules, holds, refunds). */
@Injectable()
export class CreditStoreClient {
  constructor(private readonly config: GatewayConfig) {}

  /**
   * Answers whatever the credit-store answered; only an unreachable store is an error (503).
   * `routine` marks a request repeated on a timer, which the credit-store logs at debug;
   * `timeoutMs` is how long to wait for the answer (a 503 after it).
   */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    { routine = false, timeoutMs = TIMEOUT_MS } = {},
  ): Promise<CreditStoreAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.CREDIT_STORE_URL), {
        method,
        headers: {
          authorization: `Bearer ${this.config.INTERNAL_TOKEN}`,
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
