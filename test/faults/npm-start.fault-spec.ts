// `npm start` on a machine whose PostgreSQL is not where the settings point: on this machine it
// starts an embedded one (data kept between runs, stopped by Ctrl-C); elsewhere it names the
// address. And without Java or Maven it says what to install before starting anything.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ROOT, json } from '../../bench/support/bench-stack';
import { freePort } from '../support/spawn-app';
import { eventually } from '../support/wait';
import { FAULTS } from './support/fault-config';
import { NpmStart, answers } from './support/npm-start';

const ADMIN_TOKEN = 'dev-admin-token-change-me';
const STACK_TIMEOUT_MS = 180_000;

/** The stack's settings: every port its own (none of the defaults), databases on `pgPort`. */
function stackEnv(pgPort: number, dirs: { postgres: string; kafka: string }, fakePort: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/gateway`,
    CREDIT_STORE_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/credit_store`,
    EMBEDDED_POSTGRES_DIR: dirs.postgres,
    KAFKA_PORT: String(FAULTS.kafkaPort),
    KAFKA_CONTROLLER_PORT: String(FAULTS.kafkaPort + 1),
    KAFKA_DATA_DIR: dirs.kafka,
    GATEWAY_PORT: String(FAULTS.gatewayPort),
    CREDIT_STORE_PORT: String(FAULTS.storePort),
    FAKE_UPSTREAM_PORT: String(fakePort),
  };
  // stack.js derives these from the ports above; the demo's chat call needs the upstream unset.
  for (const derived of ['KAFKA_BROKERS', 'CREDIT_STORE_URL', 'UPSTREAM_BASE_URL', 'NODE_ENV']) {
    delete env[derived];
  }
  return env;
}

describe('npm start without a PostgreSQL at the configured address', () => {
  const storeUrl = `http://127.0.0.1:${FAULTS.storePort}`;
  const running: NpmStart[] = [];
  let pgPort: number;
  let fakePort: number;
  let dirs: { postgres: string; kafka: string };
  /** The first test's demo user and account, which later runs must find again. */
  let demo: { user: string; account: unknown } | undefined;

  beforeAll(async () => {
    [pgPort, fakePort] = [await freePort(), await freePort()];
    // Under .cache like the default (.cache/postgres), so the postgres user must reach it there.
    mkdirSync(path.join(ROOT, '.cache', 'faults'), { recursive: true });
    dirs = {
      postgres: mkdtempSync(path.join(ROOT, '.cache', 'faults', 'embedded-postgres-')),
      kafka: mkdtempSync(path.join(tmpdir(), 'tally-npm-start-kafka-')),
    };
    chmodSync(dirs.postgres, 0o755); // as .cache/postgres is made (mkdtemp's is 0700)
  });

  afterAll(() => {
    for (const stack of running) stack.kill();
    spawnSync('bash', ['scripts/kafka.sh', 'stop'], {
      cwd: ROOT,
      env: stackEnv(pgPort, dirs, fakePort),
      stdio: 'inherit',
    });
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  });

  /** Each run's output goes to .cache/faults/npm-start-<n>.log. */
  function logFile(): string {
    return path.join(ROOT, '.cache', 'faults', `npm-start-${running.length + 1}.log`);
  }

  function start(): NpmStart {
    const stack = new NpmStart(stackEnv(pgPort, dirs, fakePort), logFile());
    running.push(stack);
    return stack;
  }

  it(
    'starts an embedded one, passes the demo on it, stops it on Ctrl-C, and finds the data again',
    async () => {
      expect(await answers(pgPort)).toBe(false);
      const dataDir = path.join(dirs.postgres, String(pgPort), 'data');

      const first = start();
      await first.waitFor(
        new RegExp(
          `no PostgreSQL on 127\\.0\\.0\\.1:${pgPort}: started an embedded one, data in ${dataDir} \\(new\\)$`,
        ),
        STACK_TIMEOUT_MS,
      );
      const [, user] = await first.waitFor(/demo: grant 1000 credits to (\S+),/, STACK_TIMEOUT_MS);
      await first.waitFor(/balance is 940 ✔/, STACK_TIMEOUT_MS);
      await first.waitFor(/the chat call was charged \d+ credits/, STACK_TIMEOUT_MS);
      await first.waitFor(/the stack is up/, STACK_TIMEOUT_MS);
      const before = await json('GET', `${storeUrl}/accounts/${user}`, ADMIN_TOKEN);
      expect(before.status).toBe(200);
      expect(before.body.balance).toBeLessThan(940);
      // The ledger is on the embedded server, not on anything else.
      const embedded = new Client({
        connectionString: `postgres://postgres@127.0.0.1:${pgPort}/credit_store`,
      });
      await embedded.connect();
      const entries = await embedded
        .query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries WHERE user_id = $1', [
          user,
        ])
        .finally(() => embedded.end());
      // The grant, three charges, and one call per surface (chat, responses, embeddings, messages).
      expect(entries.rows[0].n).toBe(8);

      expect(await first.ctrlC()).toBe(0);
      expect(first.output).toMatch(/credit-store stopped \(0\)/);
      expect(first.output).toMatch(/ai-gateway stopped \(0\)/);
      expect(first.output).toMatch(
        new RegExp(`stopped the embedded PostgreSQL on 127\\.0\\.0\\.1:${pgPort}`),
      );
      expect(await answers(pgPort)).toBe(false);

      const second = start();
      // The same data directory, found again (not made anew).
      await second.waitFor(
        new RegExp(
          `no PostgreSQL on 127\\.0\\.0\\.1:${pgPort}: started an embedded one, data in ${dataDir}$`,
        ),
        STACK_TIMEOUT_MS,
      );
      await second.waitFor(/the stack is up/, STACK_TIMEOUT_MS);
      const after = await json('GET', `${storeUrl}/accounts/${user}`, ADMIN_TOKEN);
      expect(after).toEqual(before);
      demo = { user, account: after.body };
      expect(await second.ctrlC()).toBe(0);
      expect(await answers(pgPort)).toBe(false);
    },
    2 * STACK_TIMEOUT_MS,
  );

  it(
    'uses a server that answers there, and leaves it running on Ctrl-C',
    async () => {
      // The embedded server of the test above, started by another process this time.
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `require('./scripts/embedded-postgres').startEmbeddedPostgres({ port: ${pgPort}, user: 'postgres' })
           .then(() => console.log('ready'), (error) => { console.error(error.message); process.exit(1); });
         setInterval(() => {}, 1000);`,
        ],
        { cwd: ROOT, env: stackEnv(pgPort, dirs, fakePort), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        await new Promise((resolve, reject) => {
          holder.stdout.once('data', resolve);
          holder.once('exit', reject);
        });
        const stack = start();
        await stack.waitFor(/the stack is up/, STACK_TIMEOUT_MS);
        expect(stack.output).not.toMatch(/embedded/);
        expect(demo).toBeDefined();
        expect((await json('GET', `${storeUrl}/accounts/${demo!.user}`, ADMIN_TOKEN)).body).toEqual(
          demo!.account,
        );
        expect(await stack.ctrlC()).toBe(0);
        expect(await answers(pgPort)).toBe(true);
      } finally {
        const gone = new Promise((resolve) => holder.once('exit', resolve));
        holder.kill('SIGTERM');
        await gone;
      }
      // The holder's end stops the server (its helper sees the holder gone).
      await eventually(async () => expect(await answers(pgPort)).toBe(false), {
        timeoutMs: 15_000,
      });
    },
    STACK_TIMEOUT_MS,
  );

  it('names an address on another host that does not answer, and starts no server for it', async () => {
    const env = stackEnv(pgPort, dirs, fakePort);
    env.CREDIT_STORE_DATABASE_URL = 'postgres://postgres@192.0.2.1:5432/credit_store';
    const stack = new NpmStart(env, logFile());
    running.push(stack);
    expect(await stack.exited).toBe(1);
    expect(stack.output).toMatch(/192\.0\.2\.1:5432 \(CREDIT_STORE_DATABASE_URL\) does not answer/);
    expect(stack.output).not.toMatch(/embedded/);
    expect(await answers(pgPort)).toBe(false);
  });

  /** A folder for PATH with every command of this machine but java and mvn. */
  function pathWithoutJava(): string {
    const bin = mkdtempSync(path.join(tmpdir(), 'tally-no-java-'));
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
      for (const name of readdirSync(dir)) {
        if (name === 'java' || name === 'mvn') continue;
        try {
          symlinkSync(path.join(dir, name), path.join(bin, name));
        } catch {
          // the same name from an earlier folder wins, as on PATH
        }
      }
    }
    return bin;
  }

  it('says what to install when Java is missing, before starting anything', async () => {
    const bin = pathWithoutJava();
    try {
      const stack = new NpmStart({ ...stackEnv(pgPort, dirs, fakePort), PATH: bin }, logFile());
      running.push(stack);
      expect(await stack.exited).toBe(1);
      expect(stack.output).toMatch(/Java 17 or newer \(no java on PATH\)/);
      expect(stack.output).toMatch(/install it with: \S+/);
      expect(stack.output).not.toMatch(/PostgreSQL/);
      expect(await answers(pgPort)).toBe(false);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('on a fresh clone (no Kafka jars yet), says that Maven is needed too', () => {
    const bin = pathWithoutJava();
    const clone = mkdtempSync(path.join(tmpdir(), 'tally-fresh-clone-'));
    try {
      for (const file of ['scripts/kafka.sh', 'kafka/pom.xml']) {
        mkdirSync(path.join(clone, path.dirname(file)), { recursive: true });
        copyFileSync(path.join(ROOT, file), path.join(clone, file));
      }
      const check = spawnSync('bash', [path.join(clone, 'scripts', 'kafka.sh'), 'start'], {
        env: { ...process.env, PATH: bin },
        encoding: 'utf8',
      });
      expect(check.status).toBe(1);
      expect(check.stderr).toMatch(/Java 17 or newer/);
      expect(check.stderr).toMatch(/Maven \(no mvn on PATH/);
      expect(check.stderr).toMatch(/install it with: .*maven/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
      rmSync(clone, { recursive: true, force: true });
    }
  });
});
