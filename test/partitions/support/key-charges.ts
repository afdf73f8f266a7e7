import { randomInt } from 'node:crypto';
import { uuidv7 } from '@tally/platform';
import { json, sleep } from '../../../bench/support/bench-stack';
import { paced } from '../../faults/support/charge-client';
import { FAULT_TOKENS } from '../../faults/support/fault-stack';
import type { PartitionStack } from './partition-stack';

/** The source of the charges made through API keys in the clock scenarios. */
export const KEY_SOURCE = 'clock-key';

/** A user with one API key (a day budget) and one grant that expires while it is charged. */
export interface KeyedUser {
  user: string;
  key: string;
  grant: string;
  granted: number;
  expiresAt: Date;
}

/** Runs `work` for 0..count-1, eight at a time. */
async function eightAtATime(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

/** `count` users, each with an API key whose budget period is a day; answers the keys' ids. */
export async function createKeys(stack: PartitionStack, count: number): Promise<string[]> {
  const keys: string[] = [];
  await eightAtATime(count, async (i) => {
    const key = await json('POST', `${stack.gatewayUrl}/admin/api-keys`, FAULT_TOKENS.admin, {
      user_id: `clock-u${i}`,
      budget: { credits: 1_000_000, period: 'day' },
    });
    if (key.status !== 201) throw new Error(`a key for clock-u${i} answered ${key.status}`);
    keys[i] = String(key.body.id);
  });
  return keys;
}

/**
 * A grant of `granted` credits for each keyed user; the grants expire one after another from
 * `firstExpiry`, `spreadMs` apart in all.
 */
export async function grantKeyedUsers(
  stack: PartitionStack,
  keys: string[],
  firstExpiry: number,
  spreadMs: number,
  granted = 1_000,
): Promise<KeyedUser[]> {
  const users: KeyedUser[] = [];
  await eightAtATime(keys.length, async (i) => {
    const user = `clock-u${i}`;
    const step = Math.round((i * spreadMs) / Math.max(1, keys.length - 1));
    const expiresAt = new Date(firstExpiry + step);
    const grant = `clock-grant-${user}`;
    const { status } = await json(
      'POST',
      `${stack.storeUrl}/accounts/${user}/grants`,
      FAULT_TOKENS.admin,
      { event_id: grant, amount: granted, source: 'reward', expires_at: expiresAt.toISOString() },
    );
    if (status !== 201) throw new Error(`the grant for ${user} answered ${status}`);
    users[i] = { user, key: keys[i], grant, granted, expiresAt };
  });
  return users;
}

interface KeyCharge {
  event_id: string;
  user_id: string;
  amount: number;
  api_key_id: string;
  /** When it was sent first, and when it was answered 202 (ms, our clock). */
  sentAt: number;
  acceptedAt?: number;
}

/**
 * An internal service charging through the users' API keys (POST /internal/charges with
 * api_key_id: the charge counts in the key's spend of the gateway's current day). A charge without
 * an answer (none, or a 5xx) is sent again, same body, until it gets one, a bounded number of times.
 */
export class KeyCharger {
  readonly accepted = new Map<string, KeyCharge>();
  readonly unexpected: string[] = [];
  readonly figures = { requests: 0, serverErrors: 0, noAnswer: 0 };
  private readonly unanswered = new Map<string, KeyCharge>();

  constructor(
    private readonly gatewayUrl: string,
    private readonly users: KeyedUser[],
  ) {}

  /** `total` charges spread over `durationMs` by `concurrency` workers. */
  async run(total: number, durationMs: number, concurrency = 4): Promise<void> {
    await paced(total, durationMs, concurrency, () => {
      const { user, key } = this.users[randomInt(this.users.length)];
      return this.send({
        event_id: uuidv7(),
        user_id: user,
        amount: 1 + randomInt(5),
        api_key_id: key,
        sentAt: Date.now(),
      });
    });
  }

  /** Sends every charge still without an answer again; answers how many are left without one. */
  async retryUnanswered(rounds = 20): Promise<number> {
    for (let round = 0; round < rounds && this.unanswered.size > 0; round++) {
      for (const charge of [...this.unanswered.values()]) await this.send(charge);
      if (this.unanswered.size > 0) await sleep(1_000);
    }
    return this.unanswered.size;
  }

  private async send(charge: KeyCharge): Promise<void> {
    this.figures.requests++;
    const { event_id, user_id, amount, api_key_id } = charge;
    const answer = await json(
      'POST',
      `${this.gatewayUrl}/internal/charges`,
      FAULT_TOKENS.internal,
      {
        event_id,
        user_id,
        amount,
        api_key_id,
        source: KEY_SOURCE,
      },
    ).catch(() => ({ status: 0, body: { amount: undefined } }));
    if (answer.status === 202 && answer.body.amount === charge.amount) {
      this.unanswered.delete(charge.event_id);
      this.accepted.set(charge.event_id, { ...charge, acceptedAt: Date.now() });
    } else if (answer.status === 0 || answer.status >= 500) {
      if (answer.status === 0) this.figures.noAnswer++;
      else this.figures.serverErrors++;
      this.unanswered.set(charge.event_id, charge);
    } else {
      this.unexpected.push(`${charge.event_id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  /** Credits accepted whose request was answered before `at`, and sent after it. */
  splitAt(at: number): { answeredBefore: number; sentAfter: number } {
    let answeredBefore = 0;
    let sentAfter = 0;
    for (const charge of this.accepted.values()) {
      if (charge.acceptedAt! < at) answeredBefore += charge.amount;
      if (charge.sentAt > at) sentAfter += charge.amount;
    }
    return { answeredBefore, sentAfter };
  }

  /** Credits accepted per user. */
  chargedByUser(): Map<string, number> {
    const sums = new Map<string, number>();
    for (const { user_id, amount } of this.accepted.values()) {
      sums.set(user_id, (sums.get(user_id) ?? 0) + amount);
    }
    return sums;
  }
}
