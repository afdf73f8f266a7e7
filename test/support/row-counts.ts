import type { DataSource } from 'typeorm';
import { rows } from './db';

/**
 * Row count of every table of the given databases (keys `<index>.<table>`), but those in
 * `except`: what "nothing was written" is checked against.
 */
export async function rowCounts(
  databases: DataSource[],
  except: readonly string[] = [],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [i, db] of databases.entries()) {
    const tables = await rows<{ table_name: string }>(
      db,
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      if (except.includes(table_name)) continue;
      const [{ n }] = await rows<{ n: number }>(
        db,
        `SELECT count(*)::int AS n FROM "${table_name}"`,
      );
      counts[`${i}.${table_name}`] = n;
    }
  }
  return counts;
}
