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

/**
 * A digest of every row of each named table (keys `<index>.<table>`, databases in the given
 * order): unlike a count, it also changes when a row is updated in place (a void, a price rule's
 * status, a key's limits).
 */
export async function tableDigests(
  databases: DataSource[],
  tables: readonly (readonly string[])[],
): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const [i, db] of databases.entries()) {
    for (const table of tables[i] ?? []) {
      const [{ digest }] = await rows<{ digest: string }>(
        db,
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
           FROM "${table}" t`,
      );
      digests[`${i}.${table}`] = digest;
    }
  }
  return digests;
}
