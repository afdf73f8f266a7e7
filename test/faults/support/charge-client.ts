import { randomInt } from 'node:crypto';
import { uuidv7 } from '@tally/platform';
import { sleep, waitReady } from '../../../bench/support/bench-stack';
import { WorkloadShape, pickAmount, pickUser } from '../../../bench/support/workload';
import { FAULT_TOKENS } from './fault-stack';
import type { ExpectedCharge } from './topic-workload';

export const HTTP_SOURCE = 'faults-http';

interface ChargeBody {
  event_id: string;
  user_id: string;
  amount: number;
  source: string;
}

/** The HTTP status and amount of an answer; status 0 when none came (connection refused, reset). */
type Answer = { status: number; amount?: number };

/**
 * No answer about the charge: the connection died, or the server failed (a 5xx, e.g. its database
 * connection was cut mid-request). The request is safe to send again; it says nothing either way.
 */
function lost(answer: Answer): boolean {
  return answer.status === 0 || answer.status >= 500;
}

/**
 * `send(i)` for i in 0..total-1, the i-th started no sooner than i/total of `durationMs` in, by
 * `concurrency` workers (a late request delays only its worker's next one).
 */
export async function paced(
  total: number,
  durationMs: number,
  concurrency: number,
  send: (i: number) => Promise<void>,
): Promise<void> {
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        await sleep(started + (i * durationMs) / total - Date.now());
        await send(i);
      }
    }),
  );
}

/**
 * An internal service charging through POST /internal/charges, as a well-behaved client does:
 * new charges at a steady rate over many users and a hot one, some sent again with the same body
 * (must answer 202 with the same amount) and some with the same event_id and another amount (must
 * answer 409). A request that gets no answer (the gateway died, or was down) is kept aside, and
 * the worker waits until the gateway answers again before it goes on.
 */
export class ChargeClient {
  /** New charges answered 202, by event_id. */
  readonly accepted = new Map<string, ExpectedCharge>();
  /** New charges that got no answer (or a 5xx): they may or may not have been recorded. */
  readonly unanswered = new Map<string, ChargeBody>();
  /** Answers that contradict the contract, described. */
  readonly unexpected: string[] = [];
  readonly figures = {
    requests: 0,
    repeats202: 0,
    conflicts409: 0,
    noAnswer: 0,
    serverErrors: 0,
    sentAgainElsewhere: 0,
  };
  /** 5xx answers by status (a 503 says "try again"; a 500 is a fault of ours). */
  readonly serverErrorsByStatus = new Map<number, number>();
  /** 202s by gateway (several when the workload is spread over replicas). */
  readonly acceptedBy = new Map<string, number>();
  private readonly bodies = new Map<string, ChargeBody>();
  private readonly acceptedIds: string[] = [];
  private readonly gatewayUrls: string[];

  /**
   * One gateway, or several taken in turn (replicas behind a load balancer). `retryElsewhere`:
   * a new charge that got no answer is sent at once to the next gateway too (the same body), as a
   * client of replicas does; only when that one fails as well is it kept aside.
   */
  constructor(
    gatewayUrl: string | string[],
    private readonly shape: WorkloadShape,
    private readonly retryElsewhere = false,
  ) {
    this.gatewayUrls = typeof gatewayUrl === 'string' ? [gatewayUrl] : gatewayUrl;
  }

  /** `total` requests spread over `durationMs` by `concurrency` workers. */
  async run(
    total: number,
    durationMs: number,
    { concurrency = 16, repeatShare = 0.1, conflictShare = 0.01 } = {},
  ): Promise<void> {
    await paced(total, durationMs, concurrency, async () => {
      const dice = Math.random();
      const earlier = this.acceptedIds;
      if (earlier.length > 0 && dice < repeatShare) {
        await this.repeat(earlier[randomInt(earlier.length)]);
      } else if (earlier.length > 0 && dice < repeatShare + conflictShare) {
        await this.conflict(earlier[randomInt(earlier.length)]);
      } else {
        const user = pickUser(this.shape);
        await this.charge({
          event_id: uuidv7(),
          user_id: user,
          amount: pickAmount(),
          source: HTTP_SOURCE,
        });
      }
    });
  }

  /** Sends every unanswered charge again, as its service would: each must now answer 202. */
  async retryUnanswered(): Promise<number> {
    const retried = [...this.unanswered.values()];
    for (const body of retried) {
      this.unanswered.delete(body.event_id);
      await this.charge(body);
    }
    return retried.length;
  }

  private async charge(body: ChargeBody): Promise<void> {
    this.bodies.set(body.event_id, body);
    let answer = await this.post(body);
    if (lost(answer) && this.retryElsewhere && this.gatewayUrls.length > 1) {
      this.figures.sentAgainElsewhere++;
      answer = await this.post(body, this.nextGateway(answer.url));
    }
    if (lost(answer)) {
      this.unanswered.set(body.event_id, body);
      this.figures.noAnswer++;
      await this.waitUntilUp(answer.url);
    } else if (answer.status === 202 && answer.amount === body.amount) {
      this.accepted.set(body.event_id, { user: body.user_id, amount: body.amount });
      this.acceptedIds.push(body.event_id);
      this.acceptedBy.set(answer.url, (this.acceptedBy.get(answer.url) ?? 0) + 1);
    } else {
      this.unexpected.push(`new charge ${body.event_id}: ${answer.status}`);
    }
  }

  private async repeat(eventId: string): Promise<void> {
    const body = this.bodies.get(eventId)!;
    const answer = await this.post(body);
    if (lost(answer)) return this.waitUntilUp(answer.url);
    if (answer.status === 202 && answer.amount === body.amount) this.figures.repeats202++;
    else this.unexpected.push(`repeat of ${eventId}: ${answer.status}`);
  }

  private async conflict(eventId: string): Promise<void> {
    const body = { ...this.bodies.get(eventId)!, amount: this.bodies.get(eventId)!.amount + 1 };
    const answer = await this.post(body);
    if (lost(answer)) return this.waitUntilUp(answer.url);
    if (answer.status === 409) this.figures.conflicts409++;
    else this.unexpected.push(`conflicting repeat of ${eventId}: ${answer.status}`);
  }

  private nextGateway(url: string): string {
    return this.gatewayUrls[(this.gatewayUrls.indexOf(url) + 1) % this.gatewayUrls.length];
  }

  private async post(
    body: ChargeBody,
    url = this.gatewayUrls[this.figures.requests % this.gatewayUrls.length],
  ): Promise<Answer & { url: string }> {
    this.figures.requests++;
    try {
      const response = await fetch(`${url}/internal/charges`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${FAULT_TOKENS.internal}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (response.status >= 500) {
        this.figures.serverErrors++;
        const seen = this.serverErrorsByStatus.get(response.status) ?? 0;
        this.serverErrorsByStatus.set(response.status, seen + 1);
      }
      const parsed = (text ? JSON.parse(text) : {}) as { amount?: number };
      return { status: response.status, amount: parsed.amount, url };
    } catch {
      return { status: 0, url };
    }
  }

  /**
   * With one gateway, waits until it answers again. With replicas, goes on at once: the next
   * request goes to the next replica, as behind a load balancer.
   */
  private async waitUntilUp(url: string): Promise<void> {
    if (this.gatewayUrls.length > 1) return;
    await waitReady(url, 120_000, 100);
  }
}
