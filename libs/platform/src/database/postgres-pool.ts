import { Client, type ClientConfig } from 'pg';
import type { ServiceConfig } from '../config/service-config';

/** The message pg gives a statement that got no answer within `query_timeout`. */
export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

/** Connections each app's pool holds at most. */
const POOL_SIZE = 20;

/**
 * A pg client that closes its connection when a statement times out. pg answers the caller with
 * an error but keeps the statement in flight: the next statement on that connection would queue
 * behind one that a silent link never answers. Closed, the pool drops it and opens a new one.
 */
export class ClientClosedOnTimeout extends Client {
  constructor(config?: ClientConfig) {
    super(config);
  }

  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | null, result: unknown) => {
        this.closeOnTimeout(error);
        (callback as (error: Error | null, result: unknown) => void)(error, result);
      };
    }
    const answer = (super.query as (...given: unknown[]) => unknown).apply(this, args);
    if (answer instanceof Promise) answer.catch((error: Error) => this.closeOnTimeout(error));
    return answer as never;
  }

  private closeOnTimeout(error: Error | null): void {
    // end() destroys the socket at once while a statement is in flight, and marks the client so
    // that the pool removes it when it is released.
    if (error?.message === QUERY_TIMEOUT_MESSAGE) this.end().catch(() => undefined);
  }
}

/** The `extra` options of an app's TypeORM data source: pool size, timeouts, the client above. */
export function postgresPoolOptions(
  config: Pick<ServiceConfig, 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_QUERY_TIMEOUT_MS'>,
  applicationName: string,
): Record<string, unknown> {
  return {
    max: POOL_SIZE,
    application_name: applicationName,
    Client: ClientClosedOnTimeout,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    query_timeout: config.DATABASE_QUERY_TIMEOUT_MS,
    // An idle pooled connection to a host that went away is found out before it is lent.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}
