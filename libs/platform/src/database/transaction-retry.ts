import { sqlStateOf } from './sql-state';

/**
 * Errors after which the same transaction, run again, can succeed: serialization failures,
 * deadlocks, and a unique violation on event_id when two transactions of different users raced
 * with the same id (the retry then sees the winner's entry and reports a conflict).
 */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 4;

export function isRetryable(error: unknown): boolean {
  return RETRYABLE_SQLSTATES.has(sqlStateOf(error) ?? '');
}

export async function withTransactionRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
    }
  }
}
