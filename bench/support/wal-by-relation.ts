// Where a database's WAL went between two positions, by relation, read with pg_walinspect: the
// server's WAL is shared by every database on it, so a plain LSN difference also counts whatever
// else runs meanwhile. A record counts when it touches a block of this database, a commit when its
// transaction wrote such a record.
import type { Client } from 'pg';

export interface WalShare {
  relation: string;
  records: number;
  bytes: number;
  /** Of which full-page images (the first change of a page after a checkpoint). */
  fpiBytes: number;
}

export async function walByRelation(db: Client, from: string, to: string): Promise<WalShare[]> {
  await db.query(`CREATE EXTENSION IF NOT EXISTS pg_walinspect`);
  const { rows } = await db.query<{
    relation: string;
    records: string;
    bytes: string;
    fpi: string;
  }>(
    `WITH me AS (SELECT oid FROM pg_database WHERE datname = current_database()),
          r AS (SELECT xid, resource_manager, record_type, record_length, fpi_length,
                       substring(block_ref FROM 'rel \\d+/(\\d+)/\\d+')::oid AS dboid,
                       substring(block_ref FROM 'rel \\d+/\\d+/(\\d+)')::oid AS filenode
                  FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)),
          mine AS (SELECT DISTINCT xid FROM r, me WHERE r.dboid = me.oid AND xid <> 0)
     SELECT COALESCE(c.relname, CASE WHEN r.resource_manager = 'Transaction'
                                     THEN 'commit records' ELSE 'other ' || r.filenode END) AS relation,
            count(*) AS records, sum(record_length) AS bytes, sum(fpi_length) AS fpi
       FROM r CROSS JOIN me
       LEFT JOIN pg_class c ON c.relfilenode = r.filenode AND r.dboid = me.oid
      WHERE r.dboid = me.oid OR (r.resource_manager = 'Transaction' AND r.xid IN (SELECT xid FROM mine))
      GROUP BY 1 ORDER BY 3 DESC`,
    [from, to],
  );
  return rows.map((r) => ({
    relation: r.relation,
    records: Number(r.records),
    bytes: Number(r.bytes),
    fpiBytes: Number(r.fpi),
  }));
}
