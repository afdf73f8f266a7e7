// The charge workload every throughput figure uses: many users, one hot user, some duplicates.
import { randomInt } from 'node:crypto';
import { uuidv7 } from '@tally/platform/ids/uuid-v7';

export const HOT_USER = 'bench-hot';

export interface WorkloadShape {
  users: number;
  /** Share of charges that go to the one hot user. */
  hotShare: number;
}

export const BENCH_SHAPE: WorkloadShape = { users: 10_000, hotShare: 0.05 };

export function userName(index: number): string {
  return `bench-u${index}`;
}

export function allUsers(shape: WorkloadShape): string[] {
  return [HOT_USER, ...Array.from({ length: shape.users }, (_, i) => userName(i))];
}

export function pickUser(shape: WorkloadShape): string {
  return Math.random() < shape.hotShare ? HOT_USER : userName(randomInt(shape.users));
}

/** 1..20 credits, like small AI calls. */
export function pickAmount(): number {
  return 1 + randomInt(20);
}

/** A `credit.charge.requested` envelope as the gateway's relay publishes it (SPEC §2). */
export function chargeEnvelope(userId: string, amount: number) {
  return {
    event_id: uuidv7(),
    event_type: 'credit.charge.requested',
    schema_version: 1,
    occurred_at: new Date().toISOString(),
    producer: 'bench',
    payload: {
      user_id: userId,
      amount,
      source: 'bench',
      pricing: { mode: 'fixed', usage: {} },
    },
  };
}

export interface TopicMessage {
  key: string;
  value: string;
}

/**
 * `total` messages of which every `1/duplicateShare`-th is an exact repeat of an earlier one of
 * the same user (so it lands on the same partition after its original). Answers the messages and,
 * per user, the sum of the distinct charges: what the ledger must take from each.
 */
export function chargeMessages(total: number, duplicateShare: number, shape: WorkloadShape) {
  const messages: TopicMessage[] = [];
  const expectedByUser = new Map<string, number>();
  const every = Math.round(1 / duplicateShare);
  let duplicates = 0;
  for (let i = 0; i < total; i++) {
    if (i > 0 && i % every === 0) {
      messages.push(messages[randomInt(messages.length)]);
      duplicates++;
      continue;
    }
    const user = pickUser(shape);
    const amount = pickAmount();
    messages.push({ key: user, value: JSON.stringify(chargeEnvelope(user, amount)) });
    expectedByUser.set(user, (expectedByUser.get(user) ?? 0) + amount);
  }
  return { messages, expectedByUser, unique: total - duplicates, duplicates };
}
