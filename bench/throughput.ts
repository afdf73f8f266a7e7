// `npm run bench`: how fast a charge moves, against what this machine can do at all. Brings up its
// own stack (its own PostgreSQL, a broker on other ports, fresh databases, both apps as processes
// from dist/), measures
// the raw-SQL ceiling, then P1 (ledger apply throughput from a pre-filled topic), P2 (the gateway's
// POST /internal/charges under 50 connections), P3 (gateway 202 → ledger applied at a fixed rate)
// and P5 (peak RSS of each app), and prints a table of goal, measured, ratio and pass/fail.
import autocannon from 'autocannon';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tally/contracts';
import { Client } from 'pg';
import {
  BENCH_TOKENS,
  BenchStack,
  cpuMs,
  cpuSince,
  processesCpuMs,
  json,
  peakRssMb,
  percentile,
  recreateDatabase,
  sleep,
  waitConsumed,
  writeResult,
} from './support/bench-stack';
import { batchedBaseline, prepareBaseline, singleEventBaseline } from './support/raw-sql-baseline';
import { tuneChurnTables } from './support/bench-postgres';
import { Figure, printFigures } from './support/figures';
import { walByRelation } from './support/wal-by-relation';
import {
  BENCH_SHAPE,
  HOT_USER,
  allUsers,
  chargeMessages,
  pickAmount,
  pickUser,
} from './support/workload';
import { uuidv7 } from '@tally/platform/ids/uuid-v7';

const KAFKA_PORT = Number(process.env.BENCH_KAFKA_PORT ?? 19592);
const P1_EVENTS = Number(process.env.BENCH_P1_EVENTS ?? 200_000);
const P2_SECONDS = Number(process.env.BENCH_P2_SECONDS ?? 15);
const P3_SECONDS = Number(process.env.BENCH_P3_SECONDS ?? 15);
const P3_RATE = Number(process.env.BENCH_P3_RATE ?? 1000);
/** WAL bytes per applied event measured on main when issue 18 was filed. */
const P1_WAL_BEFORE = 1372;
const WAL_DETAIL = process.env.BENCH_WAL_DETAIL === '1';
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 8);
/** What each user is granted before P1: the hot user enough for all of its charges. */
const grantFor = (user: string) => (user === HOT_USER ? 100_000_000 : 1_000);
const GATEWAY_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3290);
const STORE_PORT = Number(process.env.BENCH_STORE_PORT ?? 3291);
const POSTGRES_PORT = Number(process.env.BENCH_POSTGRES_PORT ?? 3293);
/** Databases are `<prefix>_baseline`, `_credit_store`, `_gateway`: one prefix per engineer. */
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'tally_bench';
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
const STORE = `http://127.0.0.1:${STORE_PORT}`;
const { admin: ADMIN, internal: INTERNAL } = BENCH_TOKENS;

const stack = new BenchStack(KAFKA_PORT);
const kafka = new Kafka({
  clientId: 'tally-bench',
  brokers: [stack.brokers],
  logLevel: logLevel.ERROR,
});

async function main(): Promise<void> {
  await stack.startPostgres(POSTGRES_PORT);
  const baselineDb = await recreateDatabase(`${DB_PREFIX}_baseline`);
  await prepareBaseline(baselineDb);

  const storeDbUrl = await recreateDatabase(`${DB_PREFIX}_credit_store`);
  const gatewayDbUrl = await recreateDatabase(`${DB_PREFIX}_gateway`);
  await stack.startBroker();
  const env = stack.appEnv(
    {
      storeDatabaseUrl: storeDbUrl,
      gatewayDatabaseUrl: gatewayDbUrl,
      storePort: STORE_PORT,
      gatewayPort: GATEWAY_PORT,
      tokens: BENCH_TOKENS,
    },
    { JOB_INTERVAL_SECONDS: '0' },
  );
  const storeDb = new Client({ connectionString: storeDbUrl });
  const gatewayDb = new Client({ connectionString: gatewayDbUrl });
  const admin = kafka.admin();
  await admin.connect();

  // Each baseline runs right before the figure held to it, so both see the same machine.
  const p1 = await applyThroughput(env, storeDb, admin, baselineDb);
  if (P2_SECONDS === 0 && P3_SECONDS === 0) {
    // BENCH_P2_SECONDS=0 BENCH_P3_SECONDS=0: P1 alone, for working on the consumer.
    printFigures(p1Figures(p1));
    await admin.disconnect();
    await Promise.all([storeDb.end(), gatewayDb.end().catch(() => undefined)]);
    if (p1.mismatches > 0) throw new Error('the ledger does not hold exactly what was sent');
    return;
  }
  const gateway = await stack.startApp('ai-gateway', env, GATEWAY);
  await tuneChurnTables(gatewayDbUrl);
  await gatewayDb.connect();
  const p2 = await gatewayCharges(gatewayDb, storeDb, baselineDb, gateway.pid!);
  const p3 = await endToEndLatency(storeDb);
  const rss = { gateway: peakRssMb(gateway.pid!), creditStore: peakRssMb(p1.store.pid!) };

  const figures: Figure[] = [
    {
      figure: 'baseline: raw SQL, 1 event/tx, 8 clients',
      unit: 'tx/s',
      measured: p2.baseline,
    },
    ...p1Figures(p1),
    {
      figure: 'P2 POST /internal/charges, 50 connections',
      unit: 'req/s',
      measured: p2.perSecond,
      goal: '≥ 70% of 1 event/tx',
      ratio: p2.perSecond / p2.baseline,
      pass: p2.perSecond >= 0.7 * p2.baseline,
    },
    { figure: 'P2 latency p99', unit: 'ms', measured: p2.p99, goal: '≤ 50', pass: p2.p99 <= 50 },
    {
      figure: 'P2 outbox: oldest unsent row, max',
      unit: 'ms',
      measured: p2.outboxMaxAgeMs,
      goal: '≤ 1000 (bounded)',
      pass: p2.outboxMaxAgeMs <= 1000,
    },
    {
      figure: `P3 202 → applied p99 at ${P3_RATE}/s`,
      unit: 'ms',
      measured: p3.p99,
      goal: '≤ 150',
      pass: p3.p99 <= 150,
    },
    {
      figure: 'P5 peak RSS ai-gateway',
      unit: 'MB',
      measured: rss.gateway,
      goal: '≤ 250',
      pass: rss.gateway <= 250,
    },
    {
      figure: 'P5 peak RSS credit-store',
      unit: 'MB',
      measured: rss.creditStore,
      goal: '≤ 250',
      pass: rss.creditStore <= 250,
    },
  ];
  printFigures(figures);
  const file = writeResult('throughput.json', {
    at: new Date().toISOString(),
    p1: { ...p1, store: undefined },
    p2,
    p3,
    rss,
    figures,
  });
  console.log(`written to ${file}`);
  await admin.disconnect();
  await Promise.all([storeDb.end(), gatewayDb.end()]);
  if (p1.mismatches + p2.missing + p3.missing > 0) {
    throw new Error('the ledger does not hold exactly what was sent (see above)');
  }
}

/** The batched baseline and P1 held to it, throughput and WAL. */
function p1Figures(p1: { baseline: number; eventsPerSecond: number; walBytesPerEvent?: number }) {
  const figures: Figure[] = [
    {
      figure: 'baseline: raw SQL, 100 events/tx, 4 clients',
      unit: 'events/s',
      measured: p1.baseline,
    },
    {
      figure: 'P1 ledger apply (200k msgs, 10% dups, 5% hot)',
      unit: 'events/s',
      measured: p1.eventsPerSecond,
      goal: `≥ 50% of batched and ≥ 20000`,
      ratio: p1.eventsPerSecond / p1.baseline,
      pass: p1.eventsPerSecond >= 0.5 * p1.baseline && p1.eventsPerSecond >= 20_000,
    },
    {
      figure: 'P1 WAL per applied event',
      unit: 'bytes',
      measured: p1.walBytesPerEvent ?? NaN,
      goal: `< ${P1_WAL_BEFORE} (before issue 18)`,
      pass: (p1.walBytesPerEvent ?? Infinity) < P1_WAL_BEFORE,
    },
  ];
  return figures;
}

/**
 * P1: grants for every user, then the credit-store is stopped, the topic is filled, and a fresh
 * credit-store applies it all. Timed from its first ledger entry to its last commit.
 */
async function applyThroughput(
  env: NodeJS.ProcessEnv,
  storeDb: Client,
  admin: Admin,
  baselineDb: string,
) {
  console.log(`\n== P1: ${P1_EVENTS} charge messages applied from a pre-filled topic`);
  if (P1_EVENTS === 0) {
    // BENCH_P1_EVENTS=0: only a running credit-store, for working on the later figures.
    await storeDb.connect();
    const store = await stack.startApp('credit-store', env, STORE);
    return { store, baseline: NaN, applied: 0, seconds: 0, eventsPerSecond: NaN, mismatches: 0 };
  }
  const seeding = await stack.startApp('credit-store', env, STORE);
  await grantEveryone();
  await stack.stopApp(seeding);

  const workload = chargeMessages(P1_EVENTS, 0.1, BENCH_SHAPE);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const filling = performance.now();
  for (let i = 0; i < workload.messages.length; i += 5_000) {
    await producer.send({
      topic: Topics.chargeRequested,
      acks: -1,
      messages: workload.messages.slice(i, i + 5_000),
    });
  }
  await producer.disconnect();
  console.log(
    `topic filled in ${((performance.now() - filling) / 1000).toFixed(1)} s ` +
      `(${workload.unique} distinct, ${workload.duplicates} repeats)`,
  );

  const baseline = await batchedBaseline(baselineDb, BASELINE_SECONDS);
  console.log(`baseline, raw SQL, 100 events/tx, 4 clients: ${baseline.toFixed(0)} events/s`);
  await storeDb.connect();
  // WAL written while applying: PostgreSQL's work for the ledger, free of the machine's noise.
  const walBefore = await walPosition(storeDb);
  const store = await stack.startApp('credit-store', env, STORE);
  const cpuBefore = { store: cpuMs(store.pid!), postgres: await backendsCpuMs(storeDb) };
  await waitConsumed(admin, 'credit-store', Topics.chargeRequested, 120_000);
  const doneAt = Date.now();
  const cpu = {
    store: cpuMs(store.pid!) - cpuBefore.store,
    postgres: cpuSince(await backendsCpuMs(storeDb), cpuBefore.postgres),
  };
  const walBytes = await walSince(storeDb, walBefore);
  const { rows } = await storeDb.query<{ n: string; first: Date }>(
    `SELECT count(*) AS n, min(created_at) AS first FROM ledger_entries WHERE source = 'bench'`,
  );
  const applied = Number(rows[0].n);
  const seconds = (doneAt - rows[0].first.getTime()) / 1000;
  const mismatches = await balanceMismatches(storeDb, workload.expectedByUser);
  console.log(
    `applied ${applied} of ${workload.unique} distinct in ${seconds.toFixed(2)} s ` +
      `(${(applied / seconds).toFixed(0)} events/s, ${(P1_EVENTS / seconds).toFixed(0)} messages/s); ` +
      `balance mismatches: ${mismatches}`,
  );
  console.log(
    `WAL ${(walBytes / applied).toFixed(0)} bytes an event; ` +
      `heap-only (HOT) updates: ${await hotUpdates(storeDb, ['grants', 'accounts'])}`,
  );
  // CPU time per event: what the apply costs, less sensitive than events/s to a busy machine.
  console.log(
    `CPU per 1000 events: credit-store ${((1000 * cpu.store) / applied).toFixed(0)} ms, ` +
      `its PostgreSQL backends ${((1000 * cpu.postgres) / applied).toFixed(0)} ms; ` +
      `credit-store peak RSS ${peakRssMb(store.pid!).toFixed(0)} MB`,
  );
  if (WAL_DETAIL) await printWalByRelation(storeDb, walBefore, applied);
  return {
    store,
    baseline,
    applied,
    seconds,
    eventsPerSecond: applied / seconds,
    walBytesPerEvent: walBytes / applied,
    mismatches: mismatches + Math.abs(applied - workload.unique),
  };
}

/** BENCH_WAL_DETAIL=1: this database's share of the WAL by table and index (pg_walinspect). */
async function printWalByRelation(db: Client, from: string, applied: number): Promise<void> {
  const { rows } = await db.query<{ lsn: string }>(
    `SELECT pg_current_wal_flush_lsn()::text AS lsn`,
  );
  // Checkpoints recycle WAL: with other work on the server, the start may be gone already.
  const shares = await walByRelation(db, from, rows[0].lsn).catch((error: Error) => {
    console.log(`WAL by relation unavailable: ${error.message}`);
    return [];
  });
  if (shares.length === 0) return;
  const total = shares.reduce((sum, s) => sum + s.bytes, 0);
  console.log(`WAL of this database alone: ${(total / applied).toFixed(0)} bytes an event`);
  console.table(
    shares.slice(0, 15).map((s) => ({
      relation: s.relation,
      'records/event': (s.records / applied).toFixed(2),
      'bytes/event': (s.bytes / applied).toFixed(0),
      'of which FPI': (s.fpiBytes / applied).toFixed(0),
    })),
  );
}

/** CPU time used so far by each backend of this database but ours, by pid. */
async function backendsCpuMs(db: Client): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return processesCpuMs(rows.map(({ pid }) => pid));
}

async function walPosition(db: Client): Promise<string> {
  const { rows } = await db.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
  return rows[0].lsn;
}

async function walSince(db: Client, lsn: string): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS bytes`,
    [lsn],
  );
  return Number(rows[0].bytes);
}

/**
 * The share of each table's updates that wrote no index entry (PostgreSQL's HOT updates): an
 * update that is not HOT adds an entry to every index of its table.
 */
async function hotUpdates(db: Client, tables: string[]): Promise<string> {
  const { rows } = await db.query<{ relname: string; upd: string; hot: string }>(
    `SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot
       FROM pg_stat_user_tables WHERE relname = ANY($1) ORDER BY relname`,
    [tables],
  );
  return rows
    .map((r) => `${r.relname} ${r.hot} of ${r.upd} (${percent(Number(r.hot), Number(r.upd))})`)
    .join(', ');
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '-' : `${Math.round((100 * part) / whole)} %`;

async function grantEveryone(): Promise<void> {
  const users = allUsers(BENCH_SHAPE);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < users.length) {
        const user = users[next++];
        const { status } = await json('POST', `${STORE}/accounts/${user}/grants`, ADMIN, {
          event_id: `bench-grant-${user}`,
          amount: grantFor(user),
          source: 'purchase',
        });
        if (status !== 201 && status !== 200) throw new Error(`grant for ${user}: ${status}`);
      }
    }),
  );
  console.log(
    `granted ${users.length} users in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Accounts whose balance is not their grant minus the distinct charges sent to them. */
async function balanceMismatches(db: Client, charged: Map<string, number>): Promise<number> {
  const { rows } = await db.query<{ user_id: string; balance: string }>(
    `SELECT user_id, balance FROM accounts`,
  );
  const balances = new Map(rows.map((r) => [r.user_id, BigInt(r.balance)]));
  let mismatches = 0;
  for (const [user, sum] of charged) {
    const granted = BigInt(grantFor(user));
    if (balances.get(user) !== granted - BigInt(sum)) mismatches++;
  }
  return mismatches;
}

function chargeBody(source: string) {
  return JSON.stringify({
    event_id: uuidv7(),
    user_id: pickUser(BENCH_SHAPE),
    amount: pickAmount(),
    source,
  });
}

/** P2: as many charges as 50 connections can get accepted, with the outbox watched meanwhile. */
async function gatewayCharges(
  gatewayDb: Client,
  storeDb: Client,
  baselineDb: string,
  gatewayPid: number,
) {
  console.log(`\n== P2: POST /internal/charges, 50 connections, ${P2_SECONDS} s`);
  const baseline = await singleEventBaseline(baselineDb, BASELINE_SECONDS);
  console.log(`baseline, raw SQL, 1 event/tx, 8 clients: ${baseline.toFixed(0)} tx/s`);
  let outboxMaxAgeMs = 0;
  let outboxMaxRows = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const { rows } = await gatewayDb.query<{ n: string; age_ms: string | null }>(
        `SELECT count(*) AS n, extract(epoch FROM now() - min(created_at)) * 1000 AS age_ms
           FROM outbox WHERE published_at IS NULL`,
      );
      outboxMaxRows = Math.max(outboxMaxRows, Number(rows[0].n));
      outboxMaxAgeMs = Math.max(outboxMaxAgeMs, Number(rows[0].age_ms ?? 0));
      await sleep(250);
    }
  })();
  const cpuBefore = cpuMs(gatewayPid);
  const result = await autocannon({
    url: `${GATEWAY}/internal/charges`,
    connections: 50,
    duration: P2_SECONDS,
    headers: { authorization: `Bearer ${INTERNAL}`, 'content-type': 'application/json' },
    requests: [
      { method: 'POST', setupRequest: (req) => ({ ...req, body: chargeBody('bench-http') }) },
    ],
  });
  watching = false;
  await watcher;
  const accepted = result['2xx'];
  // What one charge costs the gateway's process, whatever else the machine is doing meanwhile.
  const cpuMsPerCharge = (cpuMs(gatewayPid) - cpuBefore) / accepted;
  const perSecond = accepted / P2_SECONDS;
  const drained = await waitApplied(gatewayDb, storeDb, 'bench-http', 120_000);
  console.log(
    `${accepted} accepted (${perSecond.toFixed(0)}/s), non-2xx ${result.non2xx}, errors ${result.errors}, ` +
      `latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms; outbox max ${outboxMaxRows} rows, ` +
      `oldest ${outboxMaxAgeMs.toFixed(0)} ms; all applied ${drained.afterMs} ms after the load ended; ` +
      `gateway CPU ${cpuMsPerCharge.toFixed(3)} ms a charge`,
  );
  return {
    baseline,
    accepted,
    perSecond,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    outboxMaxRows,
    outboxMaxAgeMs,
    cpuMsPerCharge,
    missing: drained.missing,
  };
}

/** Waits until the ledger holds as many entries of `source` as the gateway recorded charges. */
async function waitApplied(gatewayDb: Client, storeDb: Client, source: string, timeoutMs: number) {
  const started = Date.now();
  const count = async (db: Client, table: string) =>
    Number(
      (
        await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE source = $1`, [
          source,
        ])
      ).rows[0].n,
    );
  const recorded = await count(gatewayDb, 'charges');
  let applied = 0;
  while (Date.now() - started < timeoutMs) {
    applied = await count(storeDb, 'ledger_entries');
    if (applied >= recorded) break;
    await sleep(100);
  }
  return { afterMs: Date.now() - started, missing: recorded - applied };
}

/**
 * P3: charges at a fixed rate (autocannon spreads them over 50 connections); for each, from its
 * 202 to its ledger entry. An entry's created_at is the start of the transaction that applied it
 * (the commit follows within that batch's apply time).
 */
async function endToEndLatency(storeDb: Client) {
  console.log(`\n== P3: ${P3_RATE} charges/s for ${P3_SECONDS} s, 202 → ledger entry`);
  const total = P3_RATE * P3_SECONDS;
  const acked = new Map<string, number>();
  const started = performance.now();
  const result = await autocannon({
    url: `${GATEWAY}/internal/charges`,
    connections: 50,
    overallRate: P3_RATE,
    amount: total,
    headers: { authorization: `Bearer ${INTERNAL}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({ ...req, body: chargeBody('bench-e2e') }),
        onResponse: (status, body) => {
          if (status === 202)
            acked.set((JSON.parse(body) as { event_id: string }).event_id, Date.now());
        },
      },
    ],
  });
  const elapsed = (performance.now() - started) / 1000;
  const deadline = Date.now() + 120_000;
  let entries: { event_id: string; created_at: Date }[] = [];
  while (Date.now() < deadline) {
    ({ rows: entries } = await storeDb.query(
      `SELECT event_id, created_at FROM ledger_entries WHERE source = 'bench-e2e'`,
    ));
    if (entries.length >= acked.size) break;
    await sleep(200);
  }
  const latencies = entries
    .filter((e) => acked.has(e.event_id))
    .map((e) => Math.max(0, e.created_at.getTime() - acked.get(e.event_id)!))
    .sort((a, b) => a - b);
  const figures = {
    sent: total,
    rate: result['2xx'] / elapsed,
    accepted: acked.size,
    refused: result.non2xx + result.errors,
    answerP99: result.latency.p99,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    missing: acked.size - latencies.length,
  };
  console.log(
    `${figures.accepted} accepted at ${figures.rate.toFixed(0)}/s (refused or failed ${figures.refused}), ` +
      `202 p99 ${figures.answerP99} ms; 202 → applied p50 ${figures.p50} ms, p99 ${figures.p99} ms, ` +
      `max ${figures.max} ms; missing ${figures.missing}`,
  );
  return figures;
}

main()
  .then(() => stack.stopAll())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error);
    await stack.stopAll();
    process.exit(1);
  });
