// `npm run bench:gateway`: what the gateway adds to a call of each surface (chat completions,
// responses, embeddings, Anthropic's messages). Brings up its own stack (a
// Kafka broker on other ports, two fresh databases, both apps as processes from dist/, a fake
// upstream in this process, and the floor: a bare pass-through proxy on the same HTTP stack,
// bench/support/bare-proxy.js), then times the same requests straight to the fake upstream (the
// baseline), through the floor and through the gateway, interleaved so all see the same machine
// load; then the same three under an open-loop load (300 calls/s from 50 connections). Prints each
// P4 goal of issue 18 with pass/fail.
import { Agent, request } from 'node:http';
import path from 'node:path';
import { startFakeUpstream } from '../tools/fake-upstream/fake-upstream';
import {
  BENCH_TOKENS,
  BenchStack,
  json,
  recreateDatabase,
  sleep,
  summary,
  writeResult,
} from './support/bench-stack';

const KAFKA_PORT = Number(process.env.BENCH_KAFKA_PORT ?? 19492);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const { admin: ADMIN, internal: INTERNAL } = BENCH_TOKENS;
const GATEWAY_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3190);
const STORE_PORT = Number(process.env.BENCH_STORE_PORT ?? 3191);
const FLOOR_PORT = Number(process.env.BENCH_FLOOR_PORT ?? 3192);
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'tally_bench';
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 300);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const LOAD_CONNECTIONS = 50;
const LOAD_USERS = Number(process.env.BENCH_LOAD_USERS ?? LOAD_CONNECTIONS);
/** P4's goals (issue 18), in ms added to the direct call. */
const GOAL = { median: 1, p99: 5, loadedP99: 10 };
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
const FLOOR = `http://127.0.0.1:${FLOOR_PORT}`;
const STORE = `http://127.0.0.1:${STORE_PORT}`;
const stack = new BenchStack(KAFKA_PORT);
type Summary = ReturnType<typeof summary>;

/** One surface: its path, a request, and what its stream's first content looks like. */
interface Surface {
  name: string;
  path: string;
  body: object;
  firstContent?: string;
  /** Anthropic's API: the key as `x-api-key`, and its version header. */
  anthropic?: boolean;
}

function headersFor(key: string, surface: Surface): Record<string, string> {
  const auth: Record<string, string> = surface.anthropic
    ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' }
    : { authorization: `Bearer ${key}` };
  return { ...auth, 'content-type': 'application/json' };
}

async function timeCall(url: string, key: string, surface: Surface): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}${surface.path}`, {
    method: 'POST',
    headers: headersFor(key, surface),
    body: JSON.stringify(surface.body),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - start;
}

/** Time to the first content chunk of a stream. */
async function timeFirstChunk(url: string, key: string, surface: Surface): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}${surface.path}`, {
    method: 'POST',
    headers: headersFor(key, surface),
    body: JSON.stringify({ ...surface.body, stream: true }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (!first && seen.includes(surface.firstContent!)) first = performance.now() - start;
  }
  return first;
}

/** One POST on a pooled connection; answers its status once the whole answer is read. */
function post(agent: Agent, base: URL, key: string, surface: Surface): Promise<number> {
  const body = JSON.stringify(surface.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path: `${base.pathname}${surface.path}`,
        method: 'POST',
        agent,
        headers: { ...headersFor(key, surface), 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Open loop: `rate` JSON calls a second (the surfaces and the keys in turn) for `seconds`, on at most
 * LOAD_CONNECTIONS kept-alive connections; each call's latency counts from when it was due, so
 * queueing behind a slow answer counts too.
 */
async function openLoop(base: string, keys: string[], surfaces: Surface[], seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: LOAD_CONNECTIONS });
  const url = new URL(base);
  const latencies: number[] = [];
  let failed = 0;
  const calls: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < LOAD_RATE * seconds; i++) {
    const due = start + (i * 1000) / LOAD_RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    calls.push(
      post(agent, url, keys[i % keys.length], surfaces[i % surfaces.length]).then(
        (status) => {
          if (status === 200) latencies.push(performance.now() - sent);
          else failed++;
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(calls);
  const rate = latencies.length / ((performance.now() - start) / 1000);
  agent.destroy();
  return { ...summary(latencies), failed, rate };
}

const ms = (n: number) => n.toFixed(2);
const verdict = (pass: boolean) => (pass ? 'pass' : 'FAIL');

async function main(): Promise<void> {
  const gatewayDb = await recreateDatabase(`${DB_PREFIX}_gateway`);
  const storeDb = await recreateDatabase(`${DB_PREFIX}_credit_store`);
  await stack.startBroker();
  const upstream = await startFakeUpstream();
  upstream.models.set('bench-chat', {
    chunks: ['Hello', ', ', 'bench', '!'],
    usage: { prompt_tokens: 30, completion_tokens: 20 },
  });
  upstream.models.set('bench-claude', {
    chunks: ['Hello', ', ', 'bench', '!'],
    usage: { prompt_tokens: 30, completion_tokens: 20 },
  });
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
      UPSTREAMS: JSON.stringify([
        {
          provider: 'anthropic',
          api: 'anthropic',
          base_url: upstream.url,
          api_key: 'k',
          models: ['bench-claude'],
        },
      ]),
    },
  );
  await stack.startApp('credit-store', env, STORE);
  await stack.startApp('ai-gateway', env, GATEWAY);

  await json('POST', `${STORE}/admin/price-rules`, ADMIN, {
    scene: 'chat',
    model: 'bench-chat',
    mode: 'tokens',
    input_per_million: '100000',
    output_per_million: '200000',
  });
  await json('POST', `${STORE}/admin/price-rules`, ADMIN, {
    scene: 'chat',
    model: 'bench-claude',
    mode: 'tokens',
    input_per_million: '100000',
    output_per_million: '200000',
  });
  await json('POST', `${STORE}/admin/price-rules`, ADMIN, {
    scene: 'embedding',
    model: 'bench-embedding',
    mode: 'tokens',
    input_per_million: '100000',
    output_per_million: '0',
  });
  /** A user granted 100,000,000 credits that the balance view has seen, and its API key. */
  const fundedKey = async (user: string): Promise<string> => {
    await json('POST', `${STORE}/accounts/${user}/grants`, ADMIN, {
      event_id: `${user}-grant`,
      amount: 100_000_000,
      source: 'purchase',
    });
    const created = await json('POST', `${GATEWAY}/admin/api-keys`, ADMIN, { user_id: user });
    // Until the balance view has the grant, calls are refused.
    for (let i = 0; ; i++) {
      const { status, body } = await json('GET', `${GATEWAY}/internal/balances/${user}`, INTERNAL);
      if (status === 200 && body.balance === 100_000_000) return String(created.body.key);
      if (i > 200) throw new Error(`the balance view never received the grant of ${user}`);
      await sleep(100);
    }
  };
  const user = `bench-${Date.now().toString(36)}`;
  const key = await fundedKey(user);
  // The load's callers: one user (and key) per connection unless BENCH_LOAD_USERS says otherwise.
  const loadKeys = await Promise.all(
    Array.from({ length: LOAD_USERS }, (_, i) => fundedKey(`${user}-load-${i}`)),
  );
  const surfaces: Surface[] = [
    {
      name: 'chat',
      path: '/chat/completions',
      body: {
        model: 'bench-chat',
        messages: [{ role: 'user', content: 'Time me.' }],
        max_tokens: 50,
      },
      firstContent: '"content":"Hello"',
    },
    {
      name: 'responses',
      path: '/responses',
      body: { model: 'bench-chat', input: 'Time me.', max_output_tokens: 50 },
      firstContent: '"delta":"Hello"',
    },
    {
      name: 'embeddings',
      path: '/embeddings',
      body: { model: 'bench-embedding', input: 'Time me.', encoding_format: 'base64' },
    },
    {
      name: 'messages',
      path: '/messages',
      body: {
        model: 'bench-claude',
        messages: [{ role: 'user', content: 'Time me.' }],
        max_tokens: 50,
      },
      firstContent: '"text":"Hello"',
      anthropic: true,
    },
  ];
  const floor = await stack.startScript(
    path.join(__dirname, 'support', 'bare-proxy.js'),
    {
      BARE_UPSTREAM: upstream.url,
      BARE_PORT: String(FLOOR_PORT),
    },
    FLOOR,
  );
  const targets = [
    { base: upstream.url, key: 'k' },
    { base: `${FLOOR}/v1`, key: 'k' },
    { base: `${GATEWAY}/v1`, key },
  ];
  const rows: { figure: string; direct: Summary; floor: Summary; gateway: Summary }[] = [];
  /** Each target in turn, `n` times: the three see the same moments of the machine. */
  const interleaved = async (n: number, time: (base: string, key: string) => Promise<number>) => {
    const samples = targets.map((): number[] => []);
    for (let i = 0; i < n; i++) {
      for (const [t, target] of targets.entries())
        samples[t].push(await time(target.base, target.key));
    }
    const [direct, bare, gateway] = samples.map(summary);
    return { direct, floor: bare, gateway };
  };
  for (const surface of surfaces) {
    await interleaved(200, (base, k) => timeCall(base, k, surface));
    rows.push({
      figure: `${surface.name} JSON, latency`,
      ...(await interleaved(REQUESTS, (base, k) => timeCall(base, k, surface))),
    });
    if (!surface.firstContent) continue;
    rows.push({
      figure: `${surface.name} stream, first chunk`,
      ...(await interleaved(STREAMS, (base, k) => timeFirstChunk(base, k, surface))),
    });
  }

  console.log(
    `\n${REQUESTS} JSON calls and ${STREAMS} streams per surface, one at a time, interleaved ` +
      `(ms added to the direct call; goal: median ≤ ${GOAL.median}, p99 ≤ ${GOAL.p99}):`,
  );
  const table = rows.map((r) => {
    const added = { median: r.gateway.median - r.direct.median, p99: r.gateway.p99 - r.direct.p99 };
    return {
      figure: r.figure,
      'direct median': ms(r.direct.median),
      'floor added median': ms(r.floor.median - r.direct.median),
      'tally added median': ms(added.median),
      'tally over floor median': ms(r.gateway.median - r.floor.median),
      'direct p99': ms(r.direct.p99),
      'floor added p99': ms(r.floor.p99 - r.direct.p99),
      'tally added p99': ms(added.p99),
      'tally over floor p99': ms(r.gateway.p99 - r.floor.p99),
      result: verdict(added.median <= GOAL.median && added.p99 <= GOAL.p99),
    };
  });
  console.table(table);

  const jsonCalls = surfaces.map((s) => ({ ...s, firstContent: undefined }));
  console.log(
    `\nP4 under load: ${LOAD_RATE} JSON calls/s (the surfaces in turn) from ${LOAD_CONNECTIONS} connections, ` +
      `${LOAD_USERS} users, ${LOAD_SECONDS} s each (goal: added p99 ≤ ${GOAL.loadedP99} ms):`,
  );
  const loaded: Awaited<ReturnType<typeof openLoop>>[] = [];
  for (const target of targets) {
    const keys = target.key === key ? loadKeys : [target.key];
    await openLoop(target.base, keys, jsonCalls, 2); // warms the connections
    loaded.push(await openLoop(target.base, keys, jsonCalls, LOAD_SECONDS));
  }
  const [direct, bare, gateway] = loaded;
  const loadedAdded = gateway.p99 - direct.p99;
  console.table(
    ['direct', 'floor', 'tally'].map((name, i) => ({
      target: name,
      'rate/s': loaded[i].rate.toFixed(0),
      failed: loaded[i].failed,
      median: ms(loaded[i].median),
      p99: ms(loaded[i].p99),
      'added p99': i === 0 ? '' : ms(loaded[i].p99 - direct.p99),
      result: i === 2 ? verdict(loadedAdded <= GOAL.loadedP99 && gateway.failed === 0) : '',
    })),
  );
  console.log(
    `tally over the floor under load: median ${ms(gateway.median - bare.median)} ms, ` +
      `p99 ${ms(gateway.p99 - bare.p99)} ms`,
  );
  const charged = (await json('GET', `${STORE}/accounts/${user}`, ADMIN)).body;
  console.log(
    `ledger of the bench user so far: balance ${String(charged.balance)}, consumed ${String(charged.total_consumed)}`,
  );
  writeResult('gateway-overhead.json', {
    at: new Date().toISOString(),
    requests: REQUESTS,
    streams: STREAMS,
    rows,
    table,
    loaded: {
      rate: LOAD_RATE,
      connections: LOAD_CONNECTIONS,
      seconds: LOAD_SECONDS,
      direct,
      floor: bare,
      gateway,
    },
  });
  await stack.stopApp(floor);
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
