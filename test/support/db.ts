import { DataSource } from 'typeorm';

/** A direct connection to one of the run's databases, to look behind the apps' HTTP answers. */
export function connect(url: string | undefined): Promise<DataSource> {
  return new DataSource({ type: 'postgres', url }).initialize();
}

export async function rows<T>(db: DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
  return db.query<T[]>(sql, params);
}

/** The first column of the first row, as a number (for counts and sums). */
export async function scalar(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await rows<Record<string, unknown>>(db, sql, params);
  return Number(Object.values(row)[0]);
}
