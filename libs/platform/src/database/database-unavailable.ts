import { sqlStateOf } from './sql-state';

/** SQLSTATE classes and codes that say the database went away, not that the request was wrong. */
const UNAVAILABLE_STATES = /^(08|57P0[123]|53300)/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Query read timeout/i;

/**
 * Whether an error means PostgreSQL could not be reached or dropped the connection (a failover,
 * a restart, `pg_terminate_backend`): the request may be sent again, so it is a 503, not a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = sqlStateOf(error);
  if (code !== undefined && UNAVAILABLE_STATES.test(code)) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}
