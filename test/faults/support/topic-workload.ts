import { randomInt } from 'node:crypto';
import {
  TopicMessage,
  WorkloadShape,
  chargeEnvelope,
  pickAmount,
  pickUser,
} from '../../../bench/support/workload';

/** The source bench/support/workload gives its envelopes: the ledger entries of these workloads. */
export const TOPIC_SOURCE = 'bench';

/** A charge the ledger must end up holding exactly once. */
export interface ExpectedCharge {
  user: string;
  amount: number;
}

export interface TopicWorkload {
  /** In the order they are to be produced; a repeat always comes after its original. */
  messages: TopicMessage[];
  /** The distinct valid charges, by event_id. */
  charges: Map<string, ExpectedCharge>;
  /** Exact repeats of an earlier message. */
  repeats: number;
  /** Same event_id as an earlier charge, another amount: each must be refused and dead-lettered. */
  conflicts: TopicMessage[];
}

/**
 * `total` messages as other services would produce them straight onto the topic, keyed by user:
 * mostly new charges (a hot user among many), `repeatShare` exact repeats and `conflictShare`
 * conflicting repeats of earlier ones. A repeat has its original's key, so it lands after it on
 * the same partition, and the original is the one the ledger keeps.
 */
export function topicWorkload(
  total: number,
  shape: WorkloadShape,
  { repeatShare = 0.1, conflictShare = 0.01 } = {},
): TopicWorkload {
  const originals: TopicMessage[] = [];
  const messages: TopicMessage[] = [];
  const charges = new Map<string, ExpectedCharge>();
  const conflicts: TopicMessage[] = [];
  let repeats = 0;
  for (let i = 0; i < total; i++) {
    const dice = Math.random();
    if (originals.length > 0 && dice < repeatShare) {
      messages.push(originals[randomInt(originals.length)]);
      repeats++;
    } else if (originals.length > 0 && dice < repeatShare + conflictShare) {
      const original = originals[randomInt(originals.length)];
      const event = JSON.parse(original.value) as ReturnType<typeof chargeEnvelope>;
      event.payload.amount += 1 + randomInt(5);
      const conflict = { key: original.key, value: JSON.stringify(event) };
      messages.push(conflict);
      conflicts.push(conflict);
    } else {
      const user = pickUser(shape);
      const envelope = chargeEnvelope(user, pickAmount());
      const message = { key: user, value: JSON.stringify(envelope) };
      originals.push(message);
      messages.push(message);
      charges.set(envelope.event_id, { user, amount: envelope.payload.amount });
    }
  }
  return { messages, charges, repeats, conflicts };
}
