// `npm run bench:console`: the console's overview and revenue queries on a ledger of 1M entries and
// 100k accounts (sizes: BENCH_CONSOLE_ACCOUNTS, 10 entries each). Seeds a fresh database by SQL
// (a valued purchase per account, then 9 charges each, spread over 30 days in created_at order,
// with the allocations' values and revenue_days as the ledger writes them), then runs each query
// the way the app does (the repositories themselves), printing the median of 5 runs and the plan
// PostgreSQL chose. The reconciliation is timed too, for comparison: it reads everything, which is
// why the overview does not wait for it.
import { Registry } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { DeadLetterRepository } from '../apps/credit-store/src/charges/dead-letter.repository';
import { ChainVerificationService } from '../apps/credit-store/src/finance/chain-verification.service';
import { backfillChains } from '../apps/credit-store/src/ledger/entries/chain-backfill';
import { AuditChainRepository } from '../apps/credit-store/src/audit/audit-chain.repository';
import { EntryChainRepository } from '../apps/credit-store/src/ledger/entries/entry-chain.repository';
import { OverviewRepository } from '../apps/credit-store/src/finance/overview.repository';
import { OverviewService } from '../apps/credit-store/src/finance/overview.service';
import { ReconciliationRepository } from '../apps/credit-store/src/finance/reconciliation.repository';
import { ReconciliationService } from '../apps/credit-store/src/finance/reconciliation.service';
import { ReconciliationMetrics } from '../apps/credit-store/src/finance/reconciliation.metrics';
import { RevenueRepository } from '../apps/credit-store/src/finance/revenue.repository';
import { RevenueService } from '../apps/credit-store/src/finance/revenue.service';
import { databaseUrl, migratedCreditStore, recreateDatabase } from './support/bench-stack';

const ACCOUNTS = Number(process.env.BENCH_CONSOLE_ACCOUNTS ?? 100_000);
const CHARGES_PER_ACCOUNT = 9;
const RUNS = 5;
/** BENCH_CONSOLE_SEED=0: query the database the last run seeded (it is kept) without seeding again. */
const SEED = process.env.BENCH_CONSOLE_SEED !== '0';
const DATABASE = 'tally_bench_console';

async function seed(db: DataSource): Promise<void> {
  const started = Date.now();
  await db.query(`SET synchronous_commit = off`);
  // Account i: 10,000 credits bought (1,000 USD cents, or 900 EUR cents for every tenth), then
  // 9 charges of c = 100 + i % 50. Deferred of a grant: floor(value × remaining / 10,000).
  await db.query(`
    CREATE TEMP TABLE seed_users AS
    SELECT i, 'u' || lpad(i::text, 7, '0') AS user_id, 100 + i % 50 AS c,
           CASE WHEN i % 10 = 0 THEN 'EUR' ELSE 'USD' END AS currency,
           CASE WHEN i % 10 = 0 THEN 900 ELSE 1000 END AS value
      FROM generate_series(1, ${ACCOUNTS}) i`);
  await db.query(`
    INSERT INTO accounts (user_id, balance, total_recharged, total_consumed)
    SELECT user_id, 10000 - ${CHARGES_PER_ACCOUNT} * c, 10000, ${CHARGES_PER_ACCOUNT} * c
      FROM seed_users`);
  // Entry k is created at 30 days ago + k × (30 days / entries): incomes first, then the charges
  // round by round, so created_at follows id as it does in a live ledger.
  const total = ACCOUNTS * (CHARGES_PER_ACCOUNT + 1);
  await db.query(`
    INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
                                balance_after, status, metadata, order_id, allocations, created_at)
    SELECT event_id, user_id, source, direction, amount, before, before + amount, 'applied', '{}',
           order_id, allocations,
           now() - interval '30 days' + (k::float8 / ${total}) * interval '30 days'
      FROM (
        SELECT i AS k, 'tally:order:o' || i AS event_id, user_id, 'purchase' AS source,
               'income' AS direction, 10000::bigint AS amount, 0::bigint AS before,
               'o' || i AS order_id, NULL::jsonb AS allocations
          FROM seed_users
        UNION ALL
        SELECT ${ACCOUNTS} * (j + 1) + i, 'c-' || i || '-' || j, user_id, 'chat', 'expense', -c,
               10000 - j * c, NULL,
               jsonb_build_array(jsonb_build_object(
                 'grant', 'tally:order:o' || i, 'amount', c::text,
                 'value', (div(value * (10000 - j * c), 10000)
                           - div(value * (10000 - (j + 1) * c), 10000))::text))
          FROM seed_users, generate_series(0, ${CHARGES_PER_ACCOUNT - 1}) j
      ) e ORDER BY k`);
  await db.query(`
    INSERT INTO grants (event_id, user_id, source, amount, debt_covered, remaining, value_cent,
                        currency)
    SELECT 'tally:order:o' || i, user_id, 'purchase', 10000, 0,
           10000 - ${CHARGES_PER_ACCOUNT} * c, value, currency
      FROM seed_users`);
  await db.query(`
    INSERT INTO products (id, sku, name, credit_amount, price_cent, currency, status)
    VALUES (1, 'bench-10k', '10k credits', 10000, 1000, 'USD', 'active')`);
  await db.query(`
    INSERT INTO orders (order_id, user_id, product_id, quantity, credit_amount, amount_cent,
                        currency, status, product, ledger_event_id)
    SELECT 'o' || i, user_id, 1, 1, 10000, value, currency,
           CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'credited' END,
           '{}'::jsonb, CASE WHEN i % 100 = 0 THEN NULL ELSE 'tally:order:o' || i END
      FROM seed_users`);
  await db.query(`
    INSERT INTO revenue_days (day, currency, shard, sales, recognized)
    SELECT (e.created_at AT TIME ZONE 'UTC')::date, g.currency, 0,
           SUM(CASE WHEN e.direction = 'income' THEN g.value_cent ELSE 0 END),
           SUM(CASE WHEN e.direction = 'expense' THEN (e.allocations -> 0 ->> 'value')::bigint
                    ELSE 0 END)
      FROM ledger_entries e
      JOIN grants g ON g.event_id = COALESCE(e.allocations -> 0 ->> 'grant', e.event_id)
     GROUP BY 1, 2`);
  await db.query(`
    INSERT INTO dead_letters (source_topic, source_partition, source_offset, code, reason,
                              message_value, event_id)
    SELECT 'credit.charge.requested', i % 12, i, 'validation_failed', 'amount must be >= 0',
           convert_to('{"event_id":"bad-' || i || '"}', 'UTF8'), 'bad-' || i
      FROM generate_series(1, 1000) i`);
  // The seed's entries are raw rows: chain them as the migration does entries it finds.
  await db.transaction(async (tx) => {
    await tx.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
    await backfillChains(tx, new EntryChainRepository());
    await tx.query(`ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only`);
  });
  await db.query(`VACUUM ANALYZE`);
  const [{ entries }]: { entries: string }[] = await db.query(
    `SELECT count(*) AS entries FROM ledger_entries`,
  );
  console.log(
    `seeded ${ACCOUNTS} accounts, ${entries} ledger entries in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** An EntityManager whose queries are also written down, to explain them afterwards. */
function recording(manager: EntityManager, log: { sql: string; params: unknown[] }[]) {
  return new Proxy(manager, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (sql: string, params: unknown[] = []) => {
          log.push({ sql, params });
          return target.query(sql, params);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

async function main(): Promise<void> {
  const url = SEED ? await recreateDatabase(DATABASE) : databaseUrl(DATABASE);
  const db = await migratedCreditStore(url);
  try {
    if (SEED) await seed(db);
    const manager = db.manager;
    const overview = new OverviewRepository();
    const revenue = new RevenueRepository();
    const letters = new DeadLetterRepository();
    const today = new Date().toISOString().slice(0, 10);
    const startOfDay = new Date(`${today}T00:00:00Z`);
    const queries: [string, (m: EntityManager) => Promise<unknown>][] = [
      ['credits outstanding', (m) => overview.creditsOutstanding(m)],
      ['top consumers today', (m) => overview.topConsumers(m, startOfDay, 10)],
      ['orders by status', (m) => overview.ordersByStatus(m)],
      ['dead letters (open / all)', (m) => letters.counts(m)],
      ['revenue before the window', (m) => revenue.before(m, today, null)],
      [
        'revenue days (30)',
        (m) => revenue.days(m, { from: '2000-01-01', to: today, currency: null }),
      ],
    ];
    console.log('\nquery                         median ms   plan (top nodes)');
    for (const [name, run] of queries) {
      const ms = await median(() => run(manager));
      const log: { sql: string; params: unknown[] }[] = [];
      await run(recording(manager, log));
      const plans: string[] = [];
      for (const { sql, params } of log) {
        const rows: { 'QUERY PLAN': string }[] = await manager.query(
          `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`,
          params,
        );
        plans.push(
          ...rows
            .map((r) => r['QUERY PLAN'].trim())
            .filter((line) => /Scan|Aggregate|Limit|Join|Filter|Cond/.test(line))
            .slice(0, 6),
        );
      }
      console.log(`${name.padEnd(30)}${ms.toFixed(1).padStart(9)}   ${plans.join(' | ')}`);
    }
    const service = new OverviewService(
      manager,
      overview,
      new RevenueService(manager, revenue),
      letters,
    );
    console.log(
      `\nGET /finance/overview as a whole (service, median of ${RUNS}): ${(await median(() => service.overview())).toFixed(1)} ms`,
    );
    const reconciliation = new ReconciliationService(
      db,
      new ReconciliationRepository(),
      new ChainVerificationService(db, new EntryChainRepository(), new AuditChainRepository()),
      new ReconciliationMetrics(new Registry()),
    );
    const started = Date.now();
    const result = await reconciliation.reconcile();
    console.log(
      `reconciliation (all checks, once, not part of the overview): ${Date.now() - started} ms, ` +
        `${result.mismatches.length} mismatches` +
        (result.mismatches.length ? ` (first: ${JSON.stringify(result.mismatches[0])})` : ''),
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
