// `npx tsx bench/gateway-ab.ts`: two builds of the gateway side by side on one stack, timed in
// turn call after call (A, B, A, B...), so a change to the gateway is measured before and after in
// one run on the same machine load. A is another tree's build (BENCH_AB_BASE: a directory where
// `nest build ai-gateway` was run, e.g. a `git archive` of main), B is this tree's dist/. Each has
// its own database (its own relay and snapshot consumer); both share one credit-store, one broker
// and one fake upstream. Prints, per surface, each build's median and p99 and its CPU per call (the
// gateway process's user + system time over the phase, divided by its calls), then the same under
// an open-loop load offered to both at once. BENCH_CPU_PROF=1 writes both gateways' profiles.
import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags';
import { startFakeUpstream } from '../tools/fake-upstream/fake-upstream';
import {
  appMain,
  BENCH_TOKENS,
  BenchStack,
  cpuMs,
  recreateDatabase,
  ROOT,
  sleep,
  summary,
  waitReady,
  writeResult,
} from './support/bench-stack';
import {
  SURFACES as ALL_SURFACES,
  Surface,
  anthropicUpstreams,
  fundedKey as fundedKeyOf,
  priceSurfaces,
  headersFor,
} from './support/gateway-surfaces';

const KAFKA_PORT = Number(process.env.BENCH_KAFKA_PORT ?? 19592);
const PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3790);
const STORE_PORT = Number(process.env.BENCH_STORE_PORT ?? PORT + 1);
const BASE_PORT = Number(process.env.BENCH_FLOOR_PORT ?? PORT + 2);
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'tally_ab';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 150);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const SURFACES = (process.env.BENCH_SURFACES ?? 'chat,responses,embeddings,messages').split(',');
const BASE = process.env.BENCH_AB_BASE;
const { admin: ADMIN } = BENCH_TOKENS;
const STORE = `http://127.0.0.1:${STORE_PORT}`;
const stack = new BenchStack(KAFKA_PORT);
/** The gateways started here (the stack stops only its own apps). */
const gateways: ChildProcess[] = [];

/** One build under test: where it listens, its process and its callers' keys. */
interface Build {
  name: string;
  url: string;
  child: ChildProcess;
  agent: Agent;
  key: string;
  loadKeys: string[];
}

/** Migrates the build's database and starts it (the benches' own flags), ready to serve. */
async function startGateway(main: string, env: NodeJS.ProcessEnv, url: string, name: string) {
  const migrated = await new Promise<number | null>((resolve, reject) => {
    const migrating = spawn(process.execPath, [main, 'migrate'], { env, stdio: 'inherit' });
    migrating.once('error', reject);
    migrating.once('exit', resolve);
  });
  if (migrated !== 0) throw new Error(`${name}: migrations failed`);
  const profile = process.env.BENCH_CPU_PROF
    ? ['-r', path.join(__dirname, 'support', 'cpu-profile.preload.js')]
    : [];
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, ...profile, main], {
    env: {
      ...env,
      BENCH_APP_NAME: `ai-gateway-${name}`,
      BENCH_CPU_PROF_DIR: path.join(ROOT, '.cache', 'bench', 'profiles'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  gateways.push(child);
  await waitReady(url);
  return child;
}

/**
 * One POST on the build's kept-alive connections: resolves with the ms until `firstContent`
 * was seen (a stream), or until the whole answer was read.
 */
function call(build: Build, key: string, surface: Surface, stream: boolean): Promise<number> {
  const body = JSON.stringify(stream ? { ...surface.body, stream: true } : surface.body);
  const base = new URL(build.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path: `/v1${surface.path}`,
        method: 'POST',
        agent: build.agent,
        headers: { ...headersFor(key, surface), 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let seen = '';
        let first = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (!stream || first) return;
          seen += chunk;
          if (seen.includes(surface.firstContent!)) first = performance.now() - started;
        });
        res.once('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${build.name} answered ${res.statusCode}`));
          else resolve(stream ? first : performance.now() - started);
        });
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** `n` rounds of one call to each build in turn; latency and CPU per call of each. */
async function interleaved(builds: Build[], n: number, surface: Surface, stream: boolean) {
  const samples = builds.map((): number[] => []);
  const cpuBefore = builds.map((b) => cpuMs(b.child.pid!));
  for (let i = 0; i < n; i++) {
    // Alternate which goes first, so neither always follows the other's work.
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      samples[builds.indexOf(build)].push(await call(build, build.key, surface, stream));
    }
  }
  return builds.map((b, i) => ({
    ...summary(samples[i]),
    cpuPerCall: (cpuMs(b.child.pid!) - cpuBefore[i]) / n,
  }));
}

/** Open loop offered to every build at once, `rate` calls/s each, the surfaces in turn. */
async function openLoops(builds: Build[], surfaces: Surface[], seconds: number) {
  const latencies = builds.map((): number[] => []);
  const failed = builds.map(() => 0);
  const calls: Promise<void>[] = [];
  const cpuBefore = builds.map((b) => cpuMs(b.child.pid!));
  const start = performance.now();
  for (let i = 0; i < LOAD_RATE * seconds; i++) {
    const wait = start + (i * 1000) / LOAD_RATE - performance.now();
    if (wait > 0) await sleep(wait);
    builds.forEach((build, b) => {
      const sent = performance.now();
      const key = build.loadKeys[i % build.loadKeys.length];
      calls.push(
        call(build, key, surfaces[i % surfaces.length], false).then(
          () => void latencies[b].push(performance.now() - sent),
          () => void failed[b]++,
        ),
      );
    });
  }
  await Promise.all(calls);
  return builds.map((b, i) => ({
    ...summary(latencies[i]),
    failed: failed[i],
    cpuPerCall: (cpuMs(b.child.pid!) - cpuBefore[i]) / (LOAD_RATE * seconds),
  }));
}

async function main(): Promise<void> {
  if (!BASE) throw new Error('BENCH_AB_BASE: the directory of the build to compare with');
  const baseMain = path.join(
    path.resolve(BASE),
    'dist',
    'apps',
    'ai-gateway',
    'apps',
    'ai-gateway',
    'src',
    'main.js',
  );
  const storeDb = await recreateDatabase(`${DB_PREFIX}_credit_store`);
  await stack.startBroker();
  const upstream = await startFakeUpstream();
  for (const model of ['bench-chat', 'bench-claude']) {
    upstream.models.set(model, {
      chunks: ['Hello', ', ', 'bench', '!'],
      usage: { prompt_tokens: 30, completion_tokens: 20 },
    });
  }
  upstream.models.set('bench-embedding', {
    chunks: [],
    usage: { prompt_tokens: 8, completion_tokens: 0 },
  });
  const setting = (port: number, gatewayDatabaseUrl: string) =>
    stack.appEnv(
      {
        storeDatabaseUrl: storeDb,
        gatewayDatabaseUrl,
        storePort: STORE_PORT,
        gatewayPort: port,
        tokens: BENCH_TOKENS,
        upstream: upstream.url,
      },
      {
        UPSTREAMS: anthropicUpstreams(upstream.url),
      },
    );
  const storeEnv = setting(PORT, 'postgres://unused');
  await stack.startApp('credit-store', storeEnv, STORE);
  await priceSurfaces(STORE, ADMIN);
  const run = Date.now().toString(36);
  const builds: Build[] = [];
  for (const [name, main, port] of [
    ['A', baseMain, BASE_PORT],
    ['B', appMain('ai-gateway'), PORT],
  ] as const) {
    const db = await recreateDatabase(`${DB_PREFIX}_gateway_${name.toLowerCase()}`);
    const url = `http://127.0.0.1:${port}`;
    // Its own database and so its own balance view: its own consumer group too.
    const env = { ...setting(port, db), GATEWAY_BALANCE_GROUP: `ai-gateway-balance-view-${name}` };
    const child = await startGateway(main, env, url, name);
    // Up to 2 min for the balance view on a loaded machine.
    const fundedKey = (user: string) => fundedKeyOf(STORE, url, user, 1200);
    const user = `ab-${run}-${name}`;
    const key = await fundedKey(user);
    const loadKeys = await Promise.all(
      Array.from({ length: LOAD_SECONDS > 0 ? 50 : 0 }, (_, i) => fundedKey(`${user}-load-${i}`)),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    builds.push({ name, url, child, agent, key, loadKeys });
  }

  const surfaces = ALL_SURFACES.filter((s) => SURFACES.includes(s.name));
  const rows: Record<string, string>[] = [];
  const results: object[] = [];
  const ms = (n: number) => n.toFixed(3);
  const record = (figure: string, r: Awaited<ReturnType<typeof interleaved>>) => {
    results.push({ figure, A: r[0], B: r[1] });
    rows.push({
      figure,
      'A median': ms(r[0].median),
      'B median': ms(r[1].median),
      'A p99': ms(r[0].p99),
      'B p99': ms(r[1].p99),
      'A cpu/call': ms(r[0].cpuPerCall),
      'B cpu/call': ms(r[1].cpuPerCall),
      'B/A cpu': (r[1].cpuPerCall / r[0].cpuPerCall).toFixed(3),
    });
    console.log(JSON.stringify(rows.at(-1))); // as it comes: a long run on a busy machine
  };
  for (const surface of surfaces) {
    await interleaved(builds, 200, surface, false);
    record(`${surface.name} JSON`, await interleaved(builds, REQUESTS, surface, false));
    if (!surface.firstContent) continue;
    record(
      `${surface.name} stream, first chunk`,
      await interleaved(builds, STREAMS, surface, true),
    );
  }
  console.log(`\nA = ${baseMain}\nB = ${appMain('ai-gateway')}\n(ms; CPU: the gateway process)`);
  console.table(rows);
  let loaded: Awaited<ReturnType<typeof openLoops>> | undefined;
  if (LOAD_SECONDS > 0) {
    await openLoops(builds, surfaces, 2);
    loaded = await openLoops(builds, surfaces, LOAD_SECONDS);
    console.log(`open loop, ${LOAD_RATE} JSON calls/s to each build at once, ${LOAD_SECONDS} s:`);
    console.table(
      builds.map((b, i) => ({
        build: b.name,
        median: ms(loaded![i].median),
        p99: ms(loaded![i].p99),
        failed: loaded![i].failed,
        'cpu/call': ms(loaded![i].cpuPerCall),
      })),
    );
  }
  writeResult('gateway-ab.json', { at: new Date().toISOString(), base: BASE, results, loaded });
  for (const build of builds) {
    build.agent.destroy();
    const exited = new Promise((resolve) => build.child.once('exit', resolve));
    build.child.kill('SIGTERM');
    await exited;
  }
  await upstream.close();
}

main()
  .then(() => stack.stopAll())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error);
    for (const child of gateways) child.kill('SIGTERM');
    await stack.stopAll();
    process.exit(1);
  });
