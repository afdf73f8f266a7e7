import { sqlStateOf } from './sql-state';

/**
 * SQLSTATE classes and codes that say the database went away or cannot take the request now, not
 * that the request was wrong: besides lost connections, a server out of room (53100, a full disk;
 * also the code of the PANIC a full pg_wal sends the backend that was writing), of memory (53000,
 * 53200) or of connections (53300). Not 53400: a statement over a configured limit fails again.
 */
const UNAVAILABLE_STATES = /^(08|53[0-3]00|57P0[123])/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Query read timeout/i;

/**
 * Whether an error means PostgreSQL could not be reached, dropped the connection (a failover,
 * a restart, `pg_terminate_backend`) or has no room: the request may be sent again, so it is a
 * 503, not a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = sqlStateOf(error);
  if (code !== undefined && UNAVAILABLE_STATES.test(code)) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}
