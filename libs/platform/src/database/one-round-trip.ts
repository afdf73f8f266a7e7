import { escapeLiteral, type Pool, type PoolClient, type QueryResult } from 'pg';
import { QueryRunnerAlreadyReleasedError, type DataSource, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * One SQL statement with `$n` placeholders and their values, as a repository writes it. A
 * statement with a `name` is prepared once per connection, then only bound and run: for the hot
 * path's large statements, whose parsing and planning cost more than running them. A name always
 * comes with the same text, and names are unique across both apps' statements.
 */
export interface Statement {
  text: string;
  values?: readonly unknown[];
  name?: string;
}

/** The pg pool under a TypeORM data source: statements on it skip the ORM's per-query work. */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * Runs one statement on the manager's connection (its transaction's, if it has one) without the
 * ORM's per-query work; answers its rows. A named statement is prepared on the connection the first
 * time (pg's extended protocol keeps it for the connection's life).
 */
export async function runStatement<Row = unknown>(
  db: EntityManager,
  statement: Statement,
): Promise<Row[]> {
  const runner = db.queryRunner as PostgresQueryRunner | undefined;
  // A transaction's statements run on its connection or not at all: once TypeORM released it (its
  // backend was terminated), another connection would run them outside the transaction.
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const target: Pool | PoolClient = runner
    ? ((await runner.connect()) as PoolClient)
    : pgPoolOf(db.connection);
  const result = await target.query({
    name: statement.name,
    text: statement.text,
    values: statement.values as unknown[] | undefined,
  });
  return result.rows as Row[];
}

/** The names prepared (SQL PREPARE) on each pooled connection. */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

/**
 * Runs the statements in ONE round trip and one transaction: PostgreSQL runs the statements of a
 * simple-protocol query as one implicit transaction, each statement with its own snapshot (as
 * separate statements of a READ COMMITTED transaction: one that waited for a lock sees what the
 * holder committed). Answers each statement's rows, in order. A failing statement rolls back all.
 * Named statements go as `EXECUTE`, prepared on the connection (in a round trip of their own)
 * the first time it runs them.
 */
export function inOneRoundTrip(pool: Pool, statements: Statement[]): Promise<unknown[][]> {
  return withConnection(pool, async (client) => {
    await prepareOn(client, statements);
    return answersOf(await client.query(statements.map(sqlOf).join(';\n')));
  });
}

/**
 * Lends a pooled connection to `work`. A connection checked out has no listener of the pool's: an
 * error it raises meanwhile (its backend terminated while no query ran, e.g. during a Kafka send)
 * would be unhandled and end the process. It is noted instead, and the connection dropped.
 */
async function withConnection<T>(
  pool: Pool,
  work: (client: PoolClient, breaks: (error: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const breaks = (error: Error) => (broken ??= error);
  client.on('error', breaks);
  try {
    return await work(client, breaks);
  } finally {
    client.removeListener('error', breaks);
    client.release(broken);
  }
}

function answersOf(answered: QueryResult | QueryResult[]): unknown[][] {
  return (Array.isArray(answered) ? answered : [answered]).map(
    (result) => result.rows as unknown[],
  );
}

/**
 * A transaction that must stay open across other work (a Kafka send) in as few round trips as
 * the work allows: `BEGIN` goes with its first statements and `COMMIT` with its last, on one pooled
 * connection; rolled back if the work throws. Statements as in `inOneRoundTrip`.
 */
export class LeanTransaction {
  private begun = false;

  private constructor(private readonly client: PoolClient) {}

  static run<T>(pool: Pool, work: (tx: LeanTransaction) => Promise<T>): Promise<T> {
    return withConnection(pool, async (client, breaks) => {
      const tx = new LeanTransaction(client);
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (error) {
        if (tx.begun) await client.query('ROLLBACK').catch(breaks);
        throw error;
      }
    });
  }

  /** Runs the statements in one round trip (the first call begins the transaction with them). */
  query(statements: Statement[]): Promise<unknown[][]> {
    return this.send(statements, false);
  }

  /** Runs the statements and commits, in one round trip; the transaction is over. */
  commit(statements: Statement[] = []): Promise<unknown[][]> {
    return this.send(statements, true);
  }

  private async send(statements: Statement[], commit: boolean): Promise<unknown[][]> {
    if (statements.length === 0 && !(commit && this.begun)) return [];
    await prepareOn(this.client, statements);
    const begin = !this.begun;
    const texts = [
      ...(begin ? ['BEGIN'] : []),
      ...statements.map(sqlOf),
      ...(commit ? ['COMMIT'] : []),
    ];
    // Still open if this fails (even at COMMIT): run() then rolls it back.
    this.begun = true;
    const rows = answersOf(await this.client.query(texts.join(';\n')));
    if (commit) this.begun = false;
    return rows.slice(begin ? 1 : 0, begin ? 1 + statements.length : statements.length);
  }
}

async function prepareOn(client: PoolClient, statements: Statement[]): Promise<void> {
  const prepared = preparedOn.get(client) ?? new Set<string>();
  preparedOn.set(client, prepared);
  for (const statement of statements) {
    if (statement.name === undefined || prepared.has(statement.name)) continue;
    // One at a time, once per connection: PREPARE outlives a failure, so each name is noted as
    // soon as its own PREPARE succeeds.
    await client.query(`PREPARE ${nameOf(statement)} AS ${statement.text}`);
    prepared.add(statement.name);
  }
}

function sqlOf(statement: Statement): string {
  if (statement.name === undefined) return inlineValues(statement);
  const args = (statement.values ?? []).map((value, i) => literal(value, String(i + 1)));
  return args.length > 0
    ? `EXECUTE ${nameOf(statement)}(${args.join(', ')})`
    : `EXECUTE ${nameOf(statement)}`;
}

function nameOf(statement: Statement): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(statement.name ?? '')) {
    throw new Error(`a prepared statement's name must be an SQL identifier: ${statement.name}`);
  }
  return statement.name as string;
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
  if (Array.isArray(value)) return escapeLiteral(arrayText(value, n));
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return `(${value})`;
  if (typeof value === 'number' && Number.isFinite(value)) return `(${value})`;
  throw new Error(`$${n}: a ${typeof value} cannot be written as an SQL literal`);
}

/** An array in PostgreSQL's text form (`{"a","b"}`), read as the parameter's array type. */
function arrayText(values: unknown[], n: string): string {
  const items = values.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (typeof item === 'string') return `"${item.replace(/["\\]/g, '\\$&')}"`;
    if (typeof item === 'bigint' || (typeof item === 'number' && Number.isFinite(item))) {
      return String(item);
    }
    if (typeof item === 'boolean') return String(item);
    throw new Error(`$${n}: an array holding a ${typeof item} cannot be written as an SQL literal`);
  });
  return `{${items.join(',')}}`;
}
