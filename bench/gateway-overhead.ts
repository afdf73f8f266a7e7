// `npm run bench:gateway`: what the gateway adds to a call of each surface (chat completions,
// responses, embeddings, Anthropic's messages). Brings up its own stack (a
// Kafka broker on other ports, two fresh databases, both apps as processes from dist/, a fake
// upstream in this process), then times the same requests straight to the fake upstream (the
// baseline) and through the gateway, interleaved so both see the same machine load.
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
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'tally_bench';
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
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
  const user = `bench-${Date.now().toString(36)}`;
  await json('POST', `${STORE}/accounts/${user}/grants`, ADMIN, {
    event_id: `${user}-grant`,
    amount: 100_000_000,
    source: 'purchase',
  });
  const key = String(
    (await json('POST', `${GATEWAY}/admin/api-keys`, ADMIN, { user_id: user })).body.key,
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
  // Until the balance view has the grant, calls are refused.
  for (let i = 0; ; i++) {
    const { status, body: view } = await json(
      'GET',
      `${GATEWAY}/internal/balances/${user}`,
      INTERNAL,
    );
    if (status === 200 && view.balance === 100_000_000) break;
    if (i > 200) throw new Error('the balance view never received the grant');
    await sleep(100);
  }

  const rows: { figure: string; direct: Summary; gateway: Summary }[] = [];
  for (const surface of surfaces) {
    const direct: number[] = [];
    const gateway: number[] = [];
    for (let i = 0; i < 200; i++) {
      await timeCall(upstream.url, 'k', surface);
      await timeCall(`${GATEWAY}/v1`, key, surface);
    }
    for (let i = 0; i < REQUESTS; i++) {
      direct.push(await timeCall(upstream.url, 'k', surface));
      gateway.push(await timeCall(`${GATEWAY}/v1`, key, surface));
    }
    rows.push({
      figure: `${surface.name} JSON, latency`,
      direct: summary(direct),
      gateway: summary(gateway),
    });
    if (!surface.firstContent) continue;
    const directFirst: number[] = [];
    const gatewayFirst: number[] = [];
    for (let i = 0; i < STREAMS; i++) {
      directFirst.push(await timeFirstChunk(upstream.url, 'k', surface));
      gatewayFirst.push(await timeFirstChunk(`${GATEWAY}/v1`, key, surface));
    }
    rows.push({
      figure: `${surface.name} stream, first chunk`,
      direct: summary(directFirst),
      gateway: summary(gatewayFirst),
    });
  }

  console.log(
    `\n${REQUESTS} JSON calls and ${STREAMS} streams per surface, one at a time, interleaved (ms):`,
  );
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
  writeResult('gateway-overhead.json', {
    at: new Date().toISOString(),
    requests: REQUESTS,
    streams: STREAMS,
    rows,
  });
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
