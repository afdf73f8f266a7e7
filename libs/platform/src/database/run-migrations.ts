import { DataSource, DataSourceOptions } from 'typeorm';

/** Any fixed number works; it only has to be the same for every replica of every app. */
const MIGRATION_LOCK_KEY = 7_411_330_001;

/**
 * Applies pending migrations, each in its own transaction. Replicas that start together queue on an
 * advisory lock instead of racing to create the same tables.
 */
export async function runMigrations(options: DataSourceOptions): Promise<string[]> {
  // A migration may rewrite a large table, and a replica waits on the lock for the others: no
  // statement timeout here.
  const extra = { ...(options as { extra?: object }).extra, query_timeout: 0 };
  const dataSource = new DataSource({
    ...options,
    extra,
    migrationsRun: false,
    synchronize: false,
  });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}
