// Open-loop load for `npm run bench:gateway`: calls sent at a fixed rate whatever the answers do, on
// a bounded pool of kept-alive connections, so a slow target queues calls instead of slowing the load.
import { Agent, request } from 'node:http';
import { sleep, summary } from './bench-stack';

/** One call of a surface: its path, body and headers (the key's included). */
export interface LoadCall {
  path: string;
  body: object;
  headers: (key: string) => Record<string, string>;
}

export interface LoadResult extends ReturnType<typeof summary> {
  failed: number;
  /** Calls answered 200 a second, over the whole step (its drain included). */
  rate: number;
  /** Calls sent a second: below the rate asked, the load generator itself could not keep up. */
  sentRate: number;
}

/** A call not answered within this long counts as failed (and a step ends at most this late). */
const CALL_TIMEOUT_MS = 10_000;

/** One POST on a pooled connection; answers its status once the whole answer is read. */
function post(agent: Agent, base: URL, key: string, call: LoadCall): Promise<number> {
  const body = JSON.stringify(call.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path: `${base.pathname}${call.path}`,
        method: 'POST',
        agent,
        headers: { ...call.headers(key), 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
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
 * `rate` calls a second for `seconds` (the calls and the keys in turn) on at most `connections`
 * kept-alive connections; each call's latency counts from when it was sent to its answer's end, so
 * queueing for a connection behind a slow answer counts too.
 */
export async function openLoop(
  base: string,
  keys: string[],
  calls: LoadCall[],
  load: { rate: number; seconds: number; connections: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const url = new URL(base);
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < load.rate * load.seconds; i++) {
    const wait = start + (i * 1000) / load.rate - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    pending.push(
      post(agent, url, keys[i % keys.length], calls[i % calls.length]).then(
        (status) => {
          if (status === 200) latencies.push(performance.now() - sent);
          else failed++;
        },
        () => void failed++,
      ),
    );
  }
  const sentRate = pending.length / ((performance.now() - start) / 1000);
  await Promise.all(pending);
  const rate = latencies.length / ((performance.now() - start) / 1000);
  agent.destroy();
  return { ...summary(latencies), failed, rate, sentRate };
}

export interface CapacityStep {
  rate: number;
  direct: LoadResult;
  tally: LoadResult;
  addedP99: number;
  pass: boolean;
}

/**
 * The bounded step search: each rate in turn, straight to the upstream and then through the
 * gateway, until the first rate at which the gateway's added p99 passes `maxAddedP99`, a call
 * fails or the calls could not be sent at the rate. Answers every step taken.
 */
export async function capacitySearch(
  targets: {
    direct: (rate: number) => Promise<LoadResult>;
    tally: (rate: number) => Promise<LoadResult>;
  },
  rates: number[],
  maxAddedP99: number,
): Promise<CapacityStep[]> {
  const steps: CapacityStep[] = [];
  for (const rate of rates) {
    const direct = await targets.direct(rate);
    const tally = await targets.tally(rate);
    const addedP99 = tally.p99 - direct.p99;
    // A rate the generator could not send is not a rate the gateway kept up with.
    const sent = Math.min(direct.sentRate, tally.sentRate) >= 0.95 * rate;
    const pass = addedP99 <= maxAddedP99 && tally.failed === 0 && sent;
    steps.push({ rate, direct, tally, addedP99, pass });
    console.log(
      `  ${rate}/s: direct p99 ${direct.p99.toFixed(2)} ms; tally median ${tally.median.toFixed(2)} ` +
        `p99 ${tally.p99.toFixed(2)} ms (added ${addedP99.toFixed(2)}), ${tally.rate.toFixed(0)}/s ` +
        `answered (${tally.sentRate.toFixed(0)}/s sent), ${tally.failed} failed: ${pass ? 'pass' : 'FAIL'}`,
    );
    if (!pass) break;
  }
  return steps;
}
