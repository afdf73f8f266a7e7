// `npm run bench:gateway`: what the gateway adds to a chat call. Brings up its own stack (a
// Kafka broker on other ports, two fresh databases, both apps as processes from dist/, a fake
// upstream in this process), then times the same requests straight to the fake upstream (the
// baseline) and through the gateway, interleaved so both see the same machine load.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startFakeUpstream } from '../tools/fake-upstream/fake-upstream';

const ROOT = path.join(__dirname, '..');
const SERVER = process.env.BENCH_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const KAFKA_PORT = Number(process.env.BENCH_KAFKA_PORT ?? 19492);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 300);
const ADMIN = 'bench-admin-token-0123456789';
const INTERNAL = 'bench-internal-token-0123456789';
const GATEWAY = 'http://127.0.0.1:3190';
const STORE = 'http://127.0.0.1:3191';

const kafkaEnv = {
  ...process.env,
  KAFKA_PORT: String(KAFKA_PORT),
  KAFKA_CONTROLLER_PORT: String(KAFKA_PORT + 1),
  KAFKA_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tally-bench-kafka-')),
};
const children: ChildProcess[] = [];

async function recreateDatabase(name: string): Promise<string> {
  const client = new Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return `${SERVER}/${name}`;
}

function app(name: 'ai-gateway' | 'credit-store'): string {
  return path.join(ROOT, 'dist', 'apps', name, 'apps', name, 'src', 'main.js');
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${url}/health/ready`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready`);
}

async function json(method: string, url: string, token: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

async function timeCall(url: string, key: string, body: object): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - start;
}

/** Time to the first content chunk of a stream. */
async function timeFirstChunk(url: string, key: string, body: object): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (!first && seen.includes('"content":"Hello"')) first = performance.now() - start;
  }
  return first;
}

async function main(): Promise<void> {
  const gatewayDb = await recreateDatabase('tally_bench_gateway');
  const storeDb = await recreateDatabase('tally_bench_credit_store');
  if (
    spawnSync('bash', ['scripts/kafka.sh', 'start'], { cwd: ROOT, env: kafkaEnv, stdio: 'inherit' })
      .status !== 0
  ) {
    throw new Error('the Kafka broker did not start');
  }
  const upstream = await startFakeUpstream();
  upstream.models.set('bench-chat', {
    chunks: ['Hello', ', ', 'bench', '!'],
    usage: { prompt_tokens: 30, completion_tokens: 20 },
  });
  const env = {
    ...process.env,
    KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
    GATEWAY_DATABASE_URL: gatewayDb,
    CREDIT_STORE_DATABASE_URL: storeDb,
    GATEWAY_PORT: '3190',
    CREDIT_STORE_PORT: '3191',
    CREDIT_STORE_URL: STORE,
    UPSTREAM_BASE_URL: upstream.url,
    ADMIN_TOKEN: ADMIN,
    INTERNAL_TOKEN: INTERNAL,
    LOG_LEVELS: 'error,warn',
  };
  for (const name of ['credit-store', 'ai-gateway'] as const) {
    if (
      spawnSync(process.execPath, [app(name), 'migrate'], { env, stdio: 'inherit' }).status !== 0
    ) {
      throw new Error(`${name} migrations failed`);
    }
    children.push(
      spawn(process.execPath, [app(name)], { env, stdio: ['ignore', 'inherit', 'inherit'] }),
    );
  }
  await waitReady(STORE);
  await waitReady(GATEWAY);

  await json('POST', `${STORE}/admin/price-rules`, ADMIN, {
    scene: 'chat',
    model: 'bench-chat',
    mode: 'tokens',
    input_per_million: '100000',
    output_per_million: '200000',
  });
  const user = `bench-${Date.now().toString(36)}`;
  await json('POST', `${STORE}/accounts/${user}/grants`, ADMIN, {
    event_id: `${user}-grant`,
    amount: 100_000_000,
    source: 'purchase',
  });
  const key = String(
    (await json('POST', `${GATEWAY}/admin/api-keys`, ADMIN, { user_id: user })).body.key,
  );
  const body = {
    model: 'bench-chat',
    messages: [{ role: 'user', content: 'Time me.' }],
    max_tokens: 50,
  };
  // Until the balance view has the grant, calls are refused.
  for (let i = 0; ; i++) {
    const { status, body: view } = await json(
      'GET',
      `${GATEWAY}/internal/balances/${user}`,
      INTERNAL,
    );
    if (status === 200 && view.balance === 100_000_000) break;
    if (i > 200) throw new Error('the balance view never received the grant');
    await new Promise((r) => setTimeout(r, 100));
  }

  const direct: number[] = [];
  const gateway: number[] = [];
  for (let i = 0; i < 200; i++) {
    await timeCall(upstream.url, 'k', body);
    await timeCall(`${GATEWAY}/v1`, key, body);
  }
  for (let i = 0; i < REQUESTS; i++) {
    direct.push(await timeCall(upstream.url, 'k', body));
    gateway.push(await timeCall(`${GATEWAY}/v1`, key, body));
  }
  const directFirst: number[] = [];
  const gatewayFirst: number[] = [];
  for (let i = 0; i < STREAMS; i++) {
    directFirst.push(await timeFirstChunk(upstream.url, 'k', body));
    gatewayFirst.push(await timeFirstChunk(`${GATEWAY}/v1`, key, body));
  }

  const rows = [
    { figure: 'chat JSON, latency', direct: summary(direct), gateway: summary(gateway) },
    {
      figure: 'chat stream, first chunk',
      direct: summary(directFirst),
      gateway: summary(gatewayFirst),
    },
  ];
  console.log(`\n${REQUESTS} JSON calls and ${STREAMS} streams, one at a time, interleaved (ms):`);
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      'direct median': r.direct.median.toFixed(2),
      'gateway median': r.gateway.median.toFixed(2),
      'added median': (r.gateway.median - r.direct.median).toFixed(2),
      'direct p99': r.direct.p99.toFixed(2),
      'gateway p99': r.gateway.p99.toFixed(2),
      'added p99': (r.gateway.p99 - r.direct.p99).toFixed(2),
      'ratio (median)': (r.gateway.median / r.direct.median).toFixed(2),
    })),
  );
  const charged = (await json('GET', `${STORE}/accounts/${user}`, ADMIN)).body;
  console.log(
    `ledger of the bench user so far: balance ${String(charged.balance)}, consumed ${String(charged.total_consumed)}`,
  );
  mkdirSync(path.join(ROOT, '.cache', 'bench'), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.cache', 'bench', 'gateway-overhead.json'),
    JSON.stringify(
      { at: new Date().toISOString(), requests: REQUESTS, streams: STREAMS, rows },
      null,
      2,
    ),
  );
  await upstream.close();
}

function stopAll(): void {
  for (const child of children) child.kill('SIGTERM');
  spawnSync('bash', ['scripts/kafka.sh', 'stop'], { cwd: ROOT, env: kafkaEnv, stdio: 'inherit' });
}

main()
  .then(() => {
    stopAll();
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(error);
    stopAll();
    process.exit(1);
  });
