import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags';
import { useCreditStore } from './support/apps';
import { call } from './support/http';
import { idleConnections, RawAnswer, rawRequest } from './support/raw-http';
import { spawnApp, spawnReadyGateway } from './support/spawn-app';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

/** The old space the apps run with. */
const HEAP_CAP_MB = Number(
  APP_NODE_FLAGS.find((f) => f.startsWith('--max-old-space-size='))!.split('=')[1],
);
/**
 * What the process may take at most while it is well: the old space may fill up to its cap, and
 * beside it live the young generation (3 × 8 MB semi-spaces), code, and Buffers being read. Before
 * the limits, this test's bursts took it past 300 MB and then killed it.
 */
const RSS_CEILING_MB = HEAP_CAP_MB + 64;
/** HTTP_MAX_CONNECTIONS_PER_ADDRESS's default. */
const CONNECTIONS_PER_ADDRESS = 256;
const TWO_MB = 2 * 1024 * 1024;
const ATTACKER = '127.0.0.1';
const BYSTANDER = '127.0.0.2';

/** Just under the gateway's 2 MB body limit, and some 40 MB once parsed: ~700,000 empty objects. */
function hugeChatBody(): string {
  const head = '{"model":"demo-chat","messages":[{"role":"user","content":"hi"}],"x":[';
  const count = Math.floor((TWO_MB - head.length - 100) / 3);
  return `${head}${'{},'.repeat(count)}{}]}`;
}

/** The process's peak resident set so far (VmHWM), in MB; 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * What one client can do to the gateway: the built app, as its own process with its real heap cap,
 * under bodies it cannot afford to parse all at once, slow bodies and idle connections, while
 * another client (another address) makes its ordinary calls.
 */
describe('what one client can do to the gateway', () => {
  const fixture = useCreditStore();
  let gateway: ReturnType<typeof spawnApp>;
  let url: string;
  let port: number;
  let key: string;
  const body = hugeChatBody();

  /** A gateway that died in one test is not left to fail the next ones. */
  beforeEach(async () => {
    if (gateway && (await answers(`${url}/health`))) return;
    gateway?.child.kill('SIGKILL');
    ({ gateway, url } = await spawnReadyGateway({
      CREDIT_STORE_URL: fixture.store.url,
      LOG_LEVELS: 'error,warn',
      // Short enough for a test to watch a slow body being cut off.
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '4000',
    }));
    port = Number(new URL(url).port);
    if (key) return;
    const issued = await call<{ key: string }>('POST', `${url}/admin/api-keys`, {
      body: { user_id: unique('dos-user'), name: 'attacker' },
    });
    expect(issued.status).toBe(201);
    key = issued.body.key;
  });
  afterAll(async () => {
    if (gateway?.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  /** The bystander's calls, one after another until `attack` settles: each answer and its time. */
  async function whileAttacked(attack: Promise<RawAnswer[]>) {
    let over = false;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRssMb(gateway.child.pid!))), 50);
    const answers = attack.finally(() => (over = true));
    const legit: RawAnswer[] = [];
    const bystander = (async () => {
      while (!over) {
        legit.push(
          await rawRequest(`${url}/v1/models`, {
            headers: { authorization: `Bearer ${key}` },
            localAddress: BYSTANDER,
          }),
        );
        legit.push(
          await rawRequest(`${url}/admin/api-keys`, {
            headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
            body: JSON.stringify({ user_id: unique('bystander'), name: 'ok' }),
            localAddress: BYSTANDER,
          }),
        );
        // An ordinary client's pace, not a second flood.
        await sleep(100);
      }
    })();
    const [attackAnswers] = await Promise.all([answers, bystander]);
    clearInterval(sampler);
    const slowest = Math.max(...legit.map((a) => a.ms));
    const exit = gateway.child.exitCode ?? gateway.child.signalCode;
    console.log(
      `attack: ${summary(attackAnswers)}; bystander: ${summary(legit)}, slowest ${slowest} ms; ` +
        `gateway peak RSS ${peak.toFixed(0)} MB, ${exit === null ? 'up' : `exited (${exit})`}`,
    );
    return { attackAnswers, legit, peak };
  }

  function expectStandingAndServing({ legit, peak }: { legit: RawAnswer[]; peak: number }): void {
    expect(gateway.output()).not.toContain('heap out of memory');
    expect({ exitCode: gateway.child.exitCode, signal: gateway.child.signalCode }).toEqual({
      exitCode: null,
      signal: null,
    });
    expect(peak).toBeLessThan(RSS_CEILING_MB);
    expect(legit.length).toBeGreaterThan(0);
    expect(legit.map((a) => a.status)).toEqual(legit.map((_, i) => (i % 2 === 0 ? 200 : 201)));
  }

  const chat = (headers: Record<string, string>, bytesPerSecond?: number) =>
    rawRequest(`${url}/v1/chat/completions`, {
      headers,
      body,
      localAddress: ATTACKER,
      bytesPerSecond,
    });

  it('30 concurrent 2 MB bodies with a made-up key: a 401 each, the gateway up and serving', async () => {
    const bogus = { authorization: `Bearer tly_${'a1B2'.repeat(8)}` };
    const { attackAnswers, ...seen } = await whileAttacked(
      Promise.all(Array.from({ length: 30 }, () => chat(bogus))),
    );
    expect(attackAnswers.map((a) => a.status ?? a.error)).toEqual(Array(30).fill(401));
    expectStandingAndServing(seen);
  });

  it('40 concurrent 2 MB bodies with no key: a 401 each, the gateway up and serving', async () => {
    const { attackAnswers, ...seen } = await whileAttacked(
      Promise.all(Array.from({ length: 40 }, () => chat({}))),
    );
    expect(attackAnswers.map((a) => a.status ?? a.error)).toEqual(Array(40).fill(401));
    expectStandingAndServing(seen);
  });

  it('30 concurrent 2 MB bodies with a real key: each a 4xx (429 or 503 past the limits), the gateway up', async () => {
    const { attackAnswers, ...seen } = await whileAttacked(
      Promise.all(Array.from({ length: 30 }, () => chat({ authorization: `Bearer ${key}` }))),
    );
    for (const answer of attackAnswers) {
      const status = answer.status ?? 0;
      expect({ status, fit: (status >= 400 && status < 500) || status === 503 }).toEqual({
        status,
        fit: true,
      });
      if (answer.status === 429 || answer.status === 503) {
        expect(answer.headers?.['retry-after']).toMatch(/^\d+$/);
      }
    }
    // Some were turned away before their bodies were read: the point of the limit.
    expect(attackAnswers.some((a) => a.status === 429 || a.status === 503)).toBe(true);
    expectStandingAndServing(seen);
  });

  it('2 MB bodies at 1 byte a second are cut off, with a 408, while others are served', async () => {
    const slow = Promise.all(
      Array.from({ length: 30 }, () => chat({ authorization: `Bearer ${key}` }, 1)),
    );
    const { attackAnswers, ...seen } = await whileAttacked(slow);
    // A 408 if the head of the answer got out before the connection was closed.
    for (const answer of attackAnswers) {
      expect([408, 429, 503, 'ECONNRESET', 'EPIPE']).toContain(answer.status ?? answer.error);
    }
    expectStandingAndServing(seen);
  }, 60_000);

  it('1,000 idle connections: those past the per-address limit are closed at once, others served', async () => {
    const idle = await idleConnections(port, 1000);
    try {
      const seen = await whileAttacked(
        (async () => {
          await eventually(
            () => expect(idle.closed()).toBeGreaterThanOrEqual(1000 - CONNECTIONS_PER_ADDRESS),
            {
              timeoutMs: 5000,
            },
          );
          return [];
        })(),
      );
      expectStandingAndServing(seen);
    } finally {
      idle.sockets.forEach((s) => s.destroy());
    }
  });
});

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

function summary(answers: RawAnswer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const k = String(a.status ?? a.error);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none';
}
