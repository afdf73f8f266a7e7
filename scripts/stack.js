// `npm start`: the whole stack on this machine, then a short demonstration that it works.
//   Java/Maven present → PostgreSQL (the configured server, or an embedded one if none answers on
//   this machine) → databases → Kafka broker (scripts/kafka.sh) → migrations → credit-store and
//   ai-gateway → readiness → grant 1,000 and charge 10+20+30 through the gateway; with the local
//   stand-in upstream, one metered call per surface (chat, responses, embeddings, messages).
// Ctrl-C stops the apps, then the broker and the embedded PostgreSQL if this script started them.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { APP_NODE_FLAGS } = require('./app-node-flags');
const dist = require('./dist-paths');
const { createDatabases } = require('./create-databases');
const { ensurePostgres } = require('./local-postgres');
const { migrate } = require('./migrate');

const KAFKA_SCRIPT = path.join(__dirname, 'kafka.sh');
const children = [];
const embeddedPostgres = [];
let startedKafka = false;
let stopping = false;

function log(message) {
  console.log(`[stack] ${message}`);
}

function kafka(command) {
  return (
    spawnSync('bash', [KAFKA_SCRIPT, command], { stdio: 'inherit', env: process.env }).status === 0
  );
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** The apps log JSON (for machines); here a person reads along, so each line is shortened. */
function readable(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || !('msg' in entry)) return line;
  const level = LEVELS[entry.level] ?? entry.level;
  if (entry.req && entry.res) {
    return `${level} ${entry.req.method} ${entry.req.url} → ${entry.res.statusCode} in ${entry.responseTime} ms (request ${entry.req.id})`;
  }
  const context = entry.context ? `[${entry.context}] ` : '';
  const request = entry.reqId ? ` (request ${entry.reqId})` : '';
  return `${level} ${context}${entry.msg}${request}`;
}

function startApp(app) {
  const child = spawn(app.command ?? process.execPath, app.args ?? [...APP_NODE_FLAGS, app.main], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    readline
      .createInterface({ input: stream })
      .on('line', (line) => console.log(`[${app.name}] ${readable(line)}`));
  }
  child.on('exit', (code, signal) => {
    if (stopping) log(`${app.name} stopped (${signal ?? code})`);
    else {
      log(`${app.name} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  children.push(child);
}

async function waitReady(name, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${name} was not ready at ${url} within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function json(method, url, token, body, headers = { authorization: `Bearer ${token}` }) {
  const response = await fetch(url, {
    method,
    headers: {
      ...headers,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

async function demonstrate(gatewayUrl, storeUrl, config) {
  const user = `demo-${Date.now().toString(36)}`;
  log(`demo: grant 1000 credits to ${user}, then charge 10, 20 and 30 through the gateway`);
  const grant = await json('POST', `${storeUrl}/accounts/${user}/grants`, config.ADMIN_TOKEN, {
    event_id: `${user}-grant`,
    amount: 1000,
    source: 'purchase',
  });
  log(
    `  POST /accounts/${user}/grants → ${grant.status} balance_after=${grant.body.balance_after}`,
  );
  for (const amount of [10, 20, 30]) {
    const charge = await json('POST', `${gatewayUrl}/internal/charges`, config.INTERNAL_TOKEN, {
      event_id: `${user}-charge-${amount}`,
      user_id: user,
      amount,
      source: 'chat',
    });
    log(
      `  POST /internal/charges amount=${amount} → ${charge.status} ${JSON.stringify(charge.body)}`,
    );
  }
  const deadline = Date.now() + 30_000;
  let account;
  do {
    await new Promise((resolve) => setTimeout(resolve, 200));
    account = (await json('GET', `${storeUrl}/accounts/${user}`, config.ADMIN_TOKEN)).body;
  } while (account.balance !== 940 && Date.now() < deadline);
  log(`  GET /accounts/${user} → ${JSON.stringify(account)}`);
  if (account.balance !== 940) throw new Error('the demo charges did not reach the ledger in 30s');
  log('demo: the charges went gateway → outbox → Kafka → ledger; balance is 940 ✔');
  return user;
}

/** A chat call through the gateway with an API key, priced by a rule and charged in the ledger. */
async function demonstrateChat(gatewayUrl, storeUrl, config, user, model) {
  const rules = await json('GET', `${storeUrl}/admin/price-rules?scene=chat`, config.ADMIN_TOKEN);
  if (!rules.body.some((rule) => rule.model === model && rule.status === 'active')) {
    await json('POST', `${storeUrl}/admin/price-rules`, config.ADMIN_TOKEN, {
      scene: 'chat',
      model,
      mode: 'tokens',
      input_per_million: '100000',
      output_per_million: '200000',
    });
  }
  const key = (
    await json('POST', `${gatewayUrl}/admin/api-keys`, config.ADMIN_TOKEN, { user_id: user })
  ).body.key;
  log(`demo: API key for ${user}: ${key}`);
  const before = (await json('GET', `${storeUrl}/accounts/${user}`, config.ADMIN_TOKEN)).body
    .balance;
  let answer;
  const deadline = Date.now() + 30_000;
  do {
    // The gateway's balance view follows credit.balance.updated; until then it answers 402.
    answer = await json('POST', `${gatewayUrl}/v1/chat/completions`, key, {
      model,
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    if (answer.status === 402) await new Promise((resolve) => setTimeout(resolve, 300));
  } while (answer.status === 402 && Date.now() < deadline);
  if (answer.status !== 200) throw new Error(`the demo chat call answered ${answer.status}`);
  log(
    `  POST /v1/chat/completions → "${answer.body.choices[0].message.content}" usage=${JSON.stringify(answer.body.usage)}`,
  );
  let account;
  do {
    await new Promise((resolve) => setTimeout(resolve, 200));
    account = (await json('GET', `${storeUrl}/accounts/${user}`, config.ADMIN_TOKEN)).body;
  } while (account.balance === before && Date.now() < deadline);
  log(
    `demo: the chat call was charged ${before - account.balance} credits (balance ${account.balance}) ✔`,
  );
  log(`  try it: curl -s ${gatewayUrl}/v1/chat/completions -H 'authorization: Bearer ${key}' \\`);
  log(
    `            -H 'content-type: application/json' -d '{"model":"${model}","messages":[{"role":"user","content":"Hi"}]}'`,
  );
  return key;
}

/** A price rule for the demo model, unless one is active. */
async function ensureRule(storeUrl, config, scene, model, prices) {
  const rules = await json(
    'GET',
    `${storeUrl}/admin/price-rules?scene=${scene}`,
    config.ADMIN_TOKEN,
  );
  if (rules.body.some((rule) => rule.model === model && rule.status === 'active')) return;
  await json('POST', `${storeUrl}/admin/price-rules`, config.ADMIN_TOKEN, {
    scene,
    model,
    mode: 'tokens',
    ...prices,
  });
}

/**
 * One call of the Responses API, one of embeddings and one of Anthropic's Messages API (with the
 * key as Anthropic's clients send it), with the same key, each charged.
 */
async function demonstrateSurfaces(gatewayUrl, storeUrl, config, user, key) {
  await ensureRule(storeUrl, config, 'embedding', 'demo-embedding', {
    input_per_million: '100000',
    output_per_million: '0',
  });
  await ensureRule(storeUrl, config, 'chat', 'demo-claude', {
    input_per_million: '100000',
    output_per_million: '200000',
    cached_per_million: '10000',
    cache_write_per_million: '125000',
  });
  const anthropic = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
  const calls = [
    [
      '/v1/responses',
      { model: 'demo-chat', input: 'Hello!' },
      (b) => `"${b.output[0].content[0].text}"`,
    ],
    [
      '/v1/embeddings',
      { model: 'demo-embedding', input: 'Hello!' },
      (b) => `${b.data.length} vector`,
    ],
    [
      '/v1/messages',
      { model: 'demo-claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hello!' }] },
      (b) => `"${b.content[0].text}"`,
      anthropic,
    ],
  ];
  const deadline = Date.now() + 30_000;
  for (const [path, body, show, headers] of calls) {
    const before = (await json('GET', `${storeUrl}/accounts/${user}`, config.ADMIN_TOKEN)).body;
    let answer;
    do {
      // A new rule reaches the gateway's price book within PRICE_RULES_REFRESH_MS.
      answer = await json('POST', `${gatewayUrl}${path}`, key, body, headers);
      if (answer.status === 404) await new Promise((resolve) => setTimeout(resolve, 300));
    } while (answer.status === 404 && Date.now() < deadline);
    if (answer.status !== 200)
      throw new Error(`the demo call of ${path} answered ${answer.status}`);
    let account;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      account = (await json('GET', `${storeUrl}/accounts/${user}`, config.ADMIN_TOKEN)).body;
    } while (account.balance === before.balance && Date.now() < deadline);
    log(
      `  POST ${path} → ${show(answer.body)} usage=${JSON.stringify(answer.body.usage)}, charged ${before.balance - account.balance} ✔`,
    );
  }
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  if (startedKafka) kafka('stop');
  for (const server of embeddedPostgres) {
    await server.stop();
    log(`stopped the embedded PostgreSQL on ${server.address}`);
  }
  process.exit(code);
}

/**
 * The apps find the broker and each other by the ports this script starts them on: a port set
 * alone (KAFKA_PORT, CREDIT_STORE_PORT) or a cluster (KAFKA_NODES=3) moves the address that goes
 * with it, unless that is set.
 */
function derivePortSettings() {
  const env = process.env;
  if ((env.KAFKA_PORT || env.KAFKA_NODES) && !env.KAFKA_BROKERS) {
    const brokers = spawnSync('bash', [KAFKA_SCRIPT, 'brokers'], { env, encoding: 'utf8' });
    env.KAFKA_BROKERS = brokers.stdout.trim();
  }
  if (env.CREDIT_STORE_PORT && !env.CREDIT_STORE_URL) {
    env.CREDIT_STORE_URL = `http://127.0.0.1:${env.CREDIT_STORE_PORT}`;
  }
}

/** Where this machine reaches an app listening on `host` (every address: the loopback one). */
function reachable(host) {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  if (!kafka('check'))
    throw new Error('install what the Kafka broker needs (above), then run npm start again');
  derivePortSettings();
  const gatewayConfig = dist.loadConfig(dist.gateway.config());
  const storeConfig = dist.loadConfig(dist.creditStore.config());
  // A port taken (another npm start?) stops everything here, before anything starts.
  const demoUpstream = !process.env.UPSTREAM_BASE_URL;
  process.env.FAKE_UPSTREAM_PORT ||= '3900';
  await dist.assertPortFree(gatewayConfig.HOST, gatewayConfig.GATEWAY_PORT, 'GATEWAY_PORT');
  await dist.assertPortFree(storeConfig.HOST, storeConfig.CREDIT_STORE_PORT, 'CREDIT_STORE_PORT');
  if (demoUpstream) {
    await dist.assertPortFree(
      '127.0.0.1',
      Number(process.env.FAKE_UPSTREAM_PORT),
      'FAKE_UPSTREAM_PORT',
    );
  }
  await ensurePostgres(
    {
      GATEWAY_DATABASE_URL: gatewayConfig.GATEWAY_DATABASE_URL,
      CREDIT_STORE_DATABASE_URL: storeConfig.CREDIT_STORE_DATABASE_URL,
    },
    { log, started: embeddedPostgres },
  );
  await createDatabases().catch((error) => {
    throw new Error(
      `PostgreSQL is not reachable (${error.message}); start it, or set *_DATABASE_URL`,
    );
  });

  const alreadyRunning = spawnSync('bash', [KAFKA_SCRIPT, 'status']).status === 0;
  if (!kafka('start')) throw new Error('the Kafka broker did not start');
  startedKafka = !alreadyRunning;

  migrate();
  // Without a real upstream, chat goes to a local stand-in that serves the model demo-chat.
  if (demoUpstream) {
    process.env.UPSTREAM_BASE_URL = `http://127.0.0.1:${process.env.FAKE_UPSTREAM_PORT}/v1`;
    // It also speaks Anthropic's Messages API, for the model demo-claude, and plays two
    // deployments of demo-routed (docs/routing.md), with demo-chat as its fallback.
    const instance = (name) => `http://127.0.0.1:${process.env.FAKE_UPSTREAM_PORT}/${name}/v1`;
    process.env.UPSTREAMS ||= JSON.stringify([
      {
        provider: 'anthropic',
        api: 'anthropic',
        base_url: process.env.UPSTREAM_BASE_URL,
        api_key: 'demo-anthropic-key',
        models: ['demo-claude'],
      },
      { id: 'demo-east', provider: 'openai', base_url: instance('east'), models: ['demo-routed'] },
      {
        id: 'demo-west',
        provider: 'openai',
        base_url: instance('west'),
        models: ['demo-routed'],
        priority: 1,
      },
    ]);
    process.env.MODEL_FALLBACKS ||= JSON.stringify({ 'demo-routed': ['demo-chat'] });
    startApp({
      name: 'fake-upstream',
      command: path.join(dist.root, 'node_modules', '.bin', 'tsx'),
      args: [path.join(dist.root, 'tools', 'fake-upstream', 'main.ts')],
    });
  }
  startApp(dist.creditStore);
  startApp(dist.gateway);
  const storeUrl = `http://${reachable(storeConfig.HOST)}:${storeConfig.CREDIT_STORE_PORT}`;
  const gatewayUrl = `http://${reachable(gatewayConfig.HOST)}:${gatewayConfig.GATEWAY_PORT}`;
  await waitReady('credit-store', storeUrl);
  await waitReady('ai-gateway', gatewayUrl);
  const user = await demonstrate(gatewayUrl, storeUrl, storeConfig);
  if (demoUpstream) {
    const key = await demonstrateChat(gatewayUrl, storeUrl, storeConfig, user, 'demo-chat');
    await demonstrateSurfaces(gatewayUrl, storeUrl, storeConfig, user, key);
  }

  log('the stack is up:');
  log(
    `  ai-gateway    ${gatewayUrl}   (POST /v1/chat/completions, /v1/responses, /v1/embeddings, /v1/messages, GET /v1/models, POST /internal/charges)`,
  );
  if (demoUpstream) log(`  upstream      ${process.env.UPSTREAM_BASE_URL}   (fake, for the demo)`);
  log(
    `  credit-store  ${storeUrl}   (GET /accounts/{user_id}, /accounts/{user_id}/ledger, /ledger/{event_id})`,
  );
  log(`  API docs      ${gatewayUrl}/docs   ${storeUrl}/docs   (OpenAPI JSON: /docs-json)`);
  log(`  console       ${storeUrl}/console   (finance console, admin token)`);
  log(`  metrics       ${gatewayUrl}/metrics   ${storeUrl}/metrics`);
  log(`  health        ${gatewayUrl}/health/ready   ${storeUrl}/health/ready`);
  log(
    `  kafka         ${gatewayConfig.KAFKA_BROKERS}   (watch it: docs/ledger.md, "Watch the topics")`,
  );
  for (const server of embeddedPostgres) {
    log(`  postgres      ${server.address}   (embedded, data in ${server.dataDir})`);
  }
  log('Ctrl-C stops everything this command started.');
}

main().catch((error) => {
  console.error(`[stack] ${error.message}`);
  void shutdown(1);
});
