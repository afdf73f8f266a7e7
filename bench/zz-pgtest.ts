import { startBenchPostgres, tuneChurnTables } from './support/bench-postgres';
import { recreateDatabase } from './support/bench-stack';
import { Client } from 'pg';
async function main() {
  const t = performance.now();
  const pg = await startBenchPostgres(3593);
  console.log('started in', (performance.now() - t).toFixed(0), 'ms');
  const url = await recreateDatabase('tally_sb_probe');
  const c = new Client({ connectionString: url }); await c.connect();
  await c.query('create table reservations(id int); create table outbox(id int)');
  await c.end();
  await tuneChurnTables(url);
  const c2 = new Client({ connectionString: url }); await c2.connect();
  console.log((await c2.query("select relname, reloptions from pg_class where relname in ('reservations','outbox')")).rows);
  console.log((await c2.query("select name, setting from pg_settings where name in ('synchronous_commit','fsync','shared_buffers','max_connections','autovacuum_vacuum_cost_delay')")).rows);
  await c2.end();
  await pg.stop();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
