// `npm run bench:gateway`: what the gateway adds to a call of each surface (chat completions,
// responses, embeddings, Anthropic's messages), against the goals of issue 30. Brings up its own
// stack (its own PostgreSQL, a Kafka broker on other ports, fresh databases, both apps as processes
// from dist/, a fake upstream in this process, and the floor: a bare proxy on node:http and undici's
// pool, bench/support/bare-proxy.js), then times the same requests straight to the fake upstream
// (the baseline), through the floor and through the gateway, interleaved so all see the same machine
// load; then the three under an open-loop load of chat JSON calls (300 calls/s from 50 connections),
// and a bounded step search for the gateway's capacity (mixed surfaces). Prints every goal with
// pass/fail in one table.
import path from 'node:path';
import { startFakeUpstream } from '../tools/fake-upstream/fake-upstream';
import {
  BENCH_TOKENS,
  BenchStack,
  cpuSince,
  json,
  processesCpuMs,
  recreateDatabase,
  summary,
  writeResult,
} from './support/bench-stack';
import { tuneChurnTables } from './support/bench-postgres';
import { Figure, printFigures } from './support/figures';
import {
  SURFACES,
  anthropicUpstreams,
  fundedKey as fundedKeyOf,
  priceSurfaces,
  loadCall,
  timeCall,
  timeFirstChunk,
} from './support/gateway-surfaces';
import { LoadResult, capacitySearch, openLoop } from './support/open-loop';

const KAFKA_PORT = Number(process.env.BENCH_KAFKA_PORT ?? 19492);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const { admin: ADMIN } = BENCH_TOKENS;
const GATEWAY_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3190);
const STORE_PORT = Number(process.env.BENCH_STORE_PORT ?? 3191);
const FLOOR_PORT = Number(process.env.BENCH_FLOOR_PORT ?? 3192);
const POSTGRES_PORT = Number(process.env.BENCH_POSTGRES_PORT ?? 3193);
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'tally_bench';
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 300);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const LOAD_CONNECTIONS = 50;
const LOAD_USERS = Number(process.env.BENCH_LOAD_USERS ?? LOAD_CONNECTIONS);
const CAPACITY_RATES = (process.env.BENCH_CAPACITY_RATES ?? '200,400,700,1000,1400,1900,2500')
  .split(',')
  .map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 4);
/** Issue 30's goals, in ms added to the direct call (over the floor's where so named). */
const GOAL = {
  jsonOverFloor: 1,
  jsonP99: 5,
  chunkOverFloor: 0.5,
  chunkP99: 3,
  loadedP99: 20,
  capacityP99: 20,
  capacity: 1000,
};
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
const FLOOR = `http://127.0.0.1:${FLOOR_PORT}`;
const STORE = `http://127.0.0.1:${STORE_PORT}`;
const stack = new BenchStack(KAFKA_PORT);
type Summary = ReturnType<typeof summary>;

const ms = (n: number) => n.toFixed(2);

/** The fake upstream, both apps with prices set, and the floor; answers the upstream and the pids. */
async function startStack() {
  await stack.startPostgres(POSTGRES_PORT);
  const gatewayDb = await recreateDatabase(`${DB_PREFIX}_gateway`);
  const storeDb = await recreateDatabase(`${DB_PREFIX}_credit_store`);
  await stack.startBroker();
  const upstream = await startFakeUpstream();
  const reply = {
    chunks: ['Hello', ', ', 'bench', '!'],
    usage: { prompt_tokens: 30, completion_tokens: 20 },
  };
  upstream.models.set('bench-chat', reply);
  upstream.models.set('bench-claude', reply);
  upstream.models.set('bench-embedding', {
    chunks: [],
    usage: { prompt_tokens: 8, completion_tokens: 0 },
  });
  const env = stack.appEnv(
    {
      storeDatabaseUrl: storeDb,
      gatewayDatabaseUrl: gatewayDb,
      storePort: STORE_PORT,
      gatewayPort: GATEWAY_PORT,
      tokens: BENCH_TOKENS,
      upstream: upstream.url,
    },
    {
      UPSTREAMS: anthropicUpstreams(upstream.url),
    },
  );
  const store = await stack.startApp('credit-store', env, STORE);
  const gateway = await stack.startApp('ai-gateway', env, GATEWAY);
  await tuneChurnTables(gatewayDb);
  await priceSurfaces(STORE, ADMIN);
  const floor = await stack.startScript(
    path.join(__dirname, 'support', 'bare-proxy.js'),
    { BARE_UPSTREAM: upstream.url, BARE_PORT: String(FLOOR_PORT) },
    FLOOR,
  );
  return { upstream, pids: { floor: floor.pid!, gateway: gateway.pid!, store: store.pid! } };
}

const fundedKey = (user: string) => fundedKeyOf(STORE, GATEWAY, user);

interface Row {
  figure: string;
  stream: boolean;
  direct: Summary;
  floor: Summary;
  gateway: Summary;
}

/** Every surface, JSON and the first chunk of its stream, one call at a time, interleaved. */
async function oneAtATime(targets: { base: string; key: string }[]): Promise<Row[]> {
  /** Each target in turn, `n` times: the three see the same moments of the machine. */
  const interleaved = async (n: number, time: (base: string, key: string) => Promise<number>) => {
    const samples = targets.map((): number[] => []);
    for (let i = 0; i < n; i++) {
      for (const [t, target] of targets.entries())
        samples[t].push(await time(target.base, target.key));
    }
    const [direct, floor, gateway] = samples.map(summary);
    return { direct, floor, gateway };
  };
  const rows: Row[] = [];
  for (const surface of SURFACES) {
    await interleaved(200, (base, k) => timeCall(base, k, surface));
    rows.push({
      figure: `${surface.name} JSON`,
      stream: false,
      ...(await interleaved(REQUESTS, (base, k) => timeCall(base, k, surface))),
    });
    if (!surface.firstContent) continue;
    rows.push({
      figure: `${surface.name} stream, first chunk`,
      stream: true,
      ...(await interleaved(STREAMS, (base, k) => timeFirstChunk(base, k, surface))),
    });
  }
  console.log(
    `\n${REQUESTS} JSON calls and ${STREAMS} streams per surface, one at a time, interleaved (ms):`,
  );
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      'direct median': ms(r.direct.median),
      'floor added median': ms(r.floor.median - r.direct.median),
      'tally added median': ms(r.gateway.median - r.direct.median),
      'tally over floor median': ms(r.gateway.median - r.floor.median),
      'direct p99': ms(r.direct.p99),
      'floor added p99': ms(r.floor.p99 - r.direct.p99),
      'tally added p99': ms(r.gateway.p99 - r.direct.p99),
    })),
  );
  return rows;
}

/** The goals of one row: its median over the floor's, and its added p99. */
function rowFigures(row: Row): Figure[] {
  const [overFloor, p99] = row.stream
    ? [GOAL.chunkOverFloor, GOAL.chunkP99]
    : [GOAL.jsonOverFloor, GOAL.jsonP99];
  const added = {
    median: row.gateway.median - row.direct.median,
    p99: row.gateway.p99 - row.direct.p99,
  };
  const floorAdded = row.floor.median - row.direct.median;
  return [
    {
      figure: `${row.figure}, median added`,
      unit: 'ms',
      measured: added.median,
      floor: floorAdded,
      goal: `≤ floor + ${overFloor.toFixed(1)}`,
      pass: added.median <= floorAdded + overFloor,
    },
    {
      figure: `${row.figure}, p99 added`,
      unit: 'ms',
      measured: added.p99,
      floor: row.floor.p99 - row.direct.p99,
      goal: `≤ ${p99}`,
      pass: added.p99 <= p99,
    },
  ];
}

/**
 * LOAD_RATE chat JSON calls a second from 50 connections: direct, the floor and the gateway; with the
 * CPU time each call cost the processes of the target (steadier than latency on a busy machine).
 */
async function underLoad(
  targets: { base: string; keys: string[]; pids: number[] }[],
): Promise<Record<'direct' | 'floor' | 'tally', LoadResult & { cpuMsPerCall: number }>> {
  const chat = [loadCall(SURFACES[0])];
  const load = { rate: LOAD_RATE, seconds: LOAD_SECONDS, connections: LOAD_CONNECTIONS };
  const loaded: (LoadResult & { cpuMsPerCall: number })[] = [];
  for (const target of targets) {
    await openLoop(target.base, target.keys, chat, { ...load, seconds: 1 }); // warms the connections
    const before = processesCpuMs(target.pids);
    const result = await openLoop(target.base, target.keys, chat, load);
    const cpu = cpuSince(processesCpuMs(target.pids), before);
    loaded.push({ ...result, cpuMsPerCall: cpu / (load.rate * load.seconds) });
  }
  const [direct, floor, tally] = loaded;
  console.log(
    `\n${LOAD_RATE} chat JSON calls/s from ${LOAD_CONNECTIONS} connections, ${LOAD_USERS} users, ` +
      `${LOAD_SECONDS} s each (ms):`,
  );
  console.table(
    Object.entries({ direct, floor, tally }).map(([target, r]) => ({
      target,
      'answered/s': r.rate.toFixed(0),
      failed: r.failed,
      median: ms(r.median),
      p99: ms(r.p99),
      'added p99': target === 'direct' ? '' : ms(r.p99 - direct.p99),
      'CPU ms a call': target === 'direct' ? '' : r.cpuMsPerCall.toFixed(3),
    })),
  );
  console.log('(CPU a call: the floor process; the gateway and the credit-store for tally)');
  return { direct, floor, tally };
}

/** The capacity step search on every surface, JSON and streamed, in turn. */
async function capacity(upstreamUrl: string, loadKeys: string[]) {
  const mixed = SURFACES.flatMap((s) =>
    s.firstContent ? [loadCall(s), loadCall(s, true)] : [loadCall(s)],
  );
  const step = (base: string, keys: string[]) => async (rate: number) => {
    const load = { rate, seconds: STEP_SECONDS, connections: LOAD_CONNECTIONS };
    await openLoop(base, keys, mixed, { ...load, seconds: 1 });
    return openLoop(base, keys, mixed, load);
  };
  console.log(
    `\ncapacity: ${mixed.length} kinds of call in turn from ${LOAD_CONNECTIONS} connections, ` +
      `${STEP_SECONDS} s a step (after 1 s of warm-up), until the added p99 passes ${GOAL.capacityP99} ms:`,
  );
  const steps = await capacitySearch(
    { direct: step(upstreamUrl, ['k']), tally: step(`${GATEWAY}/v1`, loadKeys) },
    CAPACITY_RATES,
    GOAL.capacityP99,
  );
  const reached = steps.filter((s) => s.pass).at(-1)?.rate ?? 0;
  return { steps, reached, exhausted: steps.every((s) => s.pass) };
}

async function main(): Promise<void> {
  const { upstream, pids } = await startStack();
  const user = `bench-${Date.now().toString(36)}`;
  const key = await fundedKey(user);
  // The load's callers: one user (and key) per connection unless BENCH_LOAD_USERS says otherwise.
  const loadKeys = await Promise.all(
    Array.from({ length: LOAD_USERS }, (_, i) => fundedKey(`${user}-load-${i}`)),
  );
  const rows = await oneAtATime([
    { base: upstream.url, key: 'k' },
    { base: `${FLOOR}/v1`, key: 'k' },
    { base: `${GATEWAY}/v1`, key },
  ]);
  const loaded = await underLoad([
    { base: upstream.url, keys: ['k'], pids: [] },
    { base: `${FLOOR}/v1`, keys: ['k'], pids: [pids.floor] },
    { base: `${GATEWAY}/v1`, keys: loadKeys, pids: [pids.gateway, pids.store] },
  ]);
  const found = await capacity(upstream.url, loadKeys);

  const loadedAdded = loaded.tally.p99 - loaded.direct.p99;
  const figures: Figure[] = [
    ...rows.flatMap(rowFigures),
    {
      figure: `${LOAD_RATE}/s chat JSON, ${LOAD_CONNECTIONS} connections, p99 added`,
      unit: 'ms',
      measured: loadedAdded,
      floor: loaded.floor.p99 - loaded.direct.p99,
      goal: `≤ ${GOAL.loadedP99}`,
      pass: loadedAdded <= GOAL.loadedP99 && loaded.tally.failed === 0,
    },
    {
      figure: `capacity, mixed, ${LOAD_CONNECTIONS} connections, p99 added ≤ ${GOAL.capacityP99}`,
      unit: found.exhausted
        ? 'calls/s (every step passed)'
        : found.reached === 0
          ? `calls/s (${CAPACITY_RATES[0]}/s failed)`
          : 'calls/s',
      measured: found.reached,
      goal: `≥ ${GOAL.capacity}`,
      pass: found.reached >= GOAL.capacity,
    },
  ];
  console.log('\nissue 30, ms added to the direct call (floor: what the bare proxy adds):');
  printFigures(figures);
  const charged = (await json('GET', `${STORE}/accounts/${user}`, ADMIN)).body;
  console.log(
    `ledger of the bench user so far: balance ${String(charged.balance)}, consumed ${String(charged.total_consumed)}`,
  );
  const file = writeResult('gateway-overhead.json', {
    at: new Date().toISOString(),
    requests: REQUESTS,
    streams: STREAMS,
    rows,
    loaded: { rate: LOAD_RATE, connections: LOAD_CONNECTIONS, seconds: LOAD_SECONDS, ...loaded },
    capacity: found,
    figures,
  });
  console.log(`written to ${file}`);
  await upstream.close();
}

main()
  .then(() => stack.stopAll())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error);
    await stack.stopAll();
    process.exit(1);
  });
