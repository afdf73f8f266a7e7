/** The SQLSTATE of a PostgreSQL error, whether raw (pg) or wrapped by TypeORM. */
export function sqlStateOf(error: unknown): string | undefined {
  const failure = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = failure?.code ?? failure?.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Raised by the credit-store's trigger when a support principal's daily limit would be passed. */
export const LIMIT_EXCEEDED_SQLSTATE = 'TL403';
