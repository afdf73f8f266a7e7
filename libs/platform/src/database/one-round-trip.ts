import { escapeLiteral, type Pool, type QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** One SQL statement with `$n` placeholders and their values, as a repository writes it. */
export interface Statement {
  text: string;
  values?: readonly unknown[];
}

/** The pg pool under a TypeORM data source: statements on it skip the ORM's per-query work. */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * Runs the statements in ONE round trip and one transaction: PostgreSQL runs the statements of a
 * simple-protocol query as one implicit transaction, each statement with its own snapshot (as
 * separate statements of a READ COMMITTED transaction: one that waited for a lock sees what the
 * holder committed). Answers each statement's rows, in order. A failing statement rolls back all.
 */
export async function inOneRoundTrip(pool: Pool, statements: Statement[]): Promise<unknown[][]> {
  const answered = (await pool.query(statements.map(inlineValues).join(';\n'))) as
    QueryResult | QueryResult[];
  return (Array.isArray(answered) ? answered : [answered]).map(
    (result) => result.rows as unknown[],
  );
}

/**
 * The statement with each `$n` replaced by its value as an SQL literal (the simple protocol takes
 * no parameters). For statements written in this code base: a `$n` inside a quoted string of the
 * text would be replaced too, so none may hold one.
 */
export function inlineValues({ text, values = [] }: Statement): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= values.length) throw new Error(`no value for $${n}`);
    return literal(values[index], n);
  });
}

function literal(value: unknown, n: string): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return `(${value})`;
  if (typeof value === 'number' && Number.isFinite(value)) return `(${value})`;
  throw new Error(`$${n}: a ${typeof value} cannot be written as an SQL literal`);
}
